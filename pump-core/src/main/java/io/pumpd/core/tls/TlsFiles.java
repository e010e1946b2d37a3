package io.pumpd.core.tls;

import io.pumpd.core.config.ConfigProblems;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The PEM files of one TLS client, loaded: trust from {@code ssl_ca_file} and a client
 * certificate from {@code ssl_cert_file} + {@code ssl_key_file}. The single place where these
 * settings are checked: a settings class's {@code validate} calls {@link #load} and drops the
 * result, so {@code pump config check} and every command reject an unusable file with the key that
 * names it; the client built at start calls {@link #load} again and uses the result, so the check
 * and the connection cannot disagree. Immutable.
 */
public final class TlsFiles {
  /** The usual setting names; problems are reported under them. */
  public static final String CA_FILE = "ssl_ca_file";

  public static final String CERT_FILE = "ssl_cert_file";
  public static final String KEY_FILE = "ssl_key_file";

  private static final TlsFiles NONE = new TlsFiles(null, null);

  private final TrustManagerFactory trust;
  private final KeyManagerFactory keys;

  private TlsFiles(TrustManagerFactory trust, KeyManagerFactory keys) {
    this.trust = trust;
    this.keys = keys;
  }

  /**
   * Reads the files that are set (blank means not set). The client certificate is read only when
   * both {@code certFile} and {@code keyFile} are set: what one without the other means is the
   * caller's rule.
   *
   * @param problems receives one problem per unusable file, under {@link #CA_FILE}, {@link
   *     #CERT_FILE} or {@link #KEY_FILE} (a key that does not match its certificate is reported
   *     under {@link #KEY_FILE}); messages name the file and what is wrong with it
   * @return the loaded files, or empty when any problem was found
   */
  public static Optional<TlsFiles> load(
      String caFile, String certFile, String keyFile, ConfigProblems problems) {
    boolean ok = true;
    TrustManagerFactory trust = null;
    if (isSet(caFile)) {
      try {
        trust = PemFiles.trustManagers(Path.of(caFile));
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        problems.add(CA_FILE, message(e));
        ok = false;
      }
    }
    KeyManagerFactory keys = null;
    if (isSet(certFile) && isSet(keyFile)) {
      List<X509Certificate> chain = null;
      PrivateKey key = null;
      try {
        chain = PemFiles.certificates(Path.of(certFile));
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        problems.add(CERT_FILE, message(e));
        ok = false;
      }
      try {
        key = PemFiles.privateKey(Path.of(keyFile));
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        problems.add(KEY_FILE, message(e));
        ok = false;
      }
      if (chain != null && key != null) {
        try {
          keys = PemFiles.keyManagers(chain, key, Path.of(keyFile));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
          problems.add(KEY_FILE, message(e));
          ok = false;
        }
      }
    }
    if (!ok) {
      return Optional.empty();
    }
    return Optional.of(trust == null && keys == null ? NONE : new TlsFiles(trust, keys));
  }

  /** The trusted CAs of {@code ssl_ca_file}; empty means the JVM's default trust store. */
  public Optional<TrustManagerFactory> trustManagers() {
    return Optional.ofNullable(trust);
  }

  /** The client certificate and key; empty when none is presented. */
  public Optional<KeyManagerFactory> keyManagers() {
    return Optional.ofNullable(keys);
  }

  private static boolean isSet(String file) {
    return file != null && !file.isBlank();
  }

  /** PemFiles messages start with the file; anything else (a bad path string) gets its class. */
  private static String message(Exception e) {
    return e instanceof IOException || e instanceof GeneralSecurityException
        ? e.getMessage() : e.toString();
  }
}
