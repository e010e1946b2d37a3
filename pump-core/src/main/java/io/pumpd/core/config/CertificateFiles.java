package io.pumpd.core.config;

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
}
