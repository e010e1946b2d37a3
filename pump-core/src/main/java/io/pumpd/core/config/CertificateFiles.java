package io.pumpd.core.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Implemented by settings that name PEM certificate files (a CA bundle, a client certificate), so
 * that {@code pump doctor} can check their expiry without knowing each settings class.
 */
public interface CertificateFiles {

  /**
   * The certificate files configured, keyed by the setting that names them (e.g. {@code
   * ssl_ca_file}); settings left empty are left out. Key files are not listed.
   */
  Map<String, String> certificateFiles();

  /**
   * The usual pair of TLS settings as {@link #certificateFiles()} reports them: {@code
   * ssl_ca_file} and {@code ssl_cert_file}, each left out when blank.
   */
  static Map<String, String> caAndCert(String caFile, String certFile) {
    Map<String, String> files = new LinkedHashMap<>();
    if (caFile != null && !caFile.isBlank()) {
      files.put("ssl_ca_file", caFile);
    }
    if (certFile != null && !certFile.isBlank()) {
      files.put("ssl_cert_file", certFile);
    }
    return files;
  }
}
