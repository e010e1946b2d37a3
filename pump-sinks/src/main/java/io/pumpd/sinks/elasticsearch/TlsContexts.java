package io.pumpd.sinks.elasticsearch;

import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.tls.TlsFiles;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the {@link SSLContext} for {@code use_ssl}: trust from {@code ssl_ca_file} (PEM, one or
 * more certificates) or the JVM's default trust store, or none at all with {@code
 * ssl_insecure_skip_verify}; a client certificate from {@code ssl_cert_file} + {@code ssl_key_file}.
 * The files are read by {@link TlsFiles}, as {@link ElasticsearchSettings#validate} reads them
 * ({@link #files}), so {@code pump config check} rejects exactly what would fail here. Stateless.
 */
final class TlsContexts {

  private TlsContexts() {}

  /**
   * The files {@code s} needs, loaded; unusable ones are reported to {@code problems} under their
   * keys. The CA file is not read with {@code ssl_insecure_skip_verify}: nothing is verified.
   */
  static Optional<TlsFiles> files(ElasticsearchSettings s, ConfigProblems problems) {
    return TlsFiles.load(s.sslInsecureSkipVerify() ? "" : s.sslCaFile(), s.sslCertFile(),
        s.sslKeyFile(), problems);
  }

  /**
   * The context for {@code s}.
   *
   * @throws GeneralSecurityException a file is missing, unreadable or does not hold what it should
   *     (every such problem in the message)
   */
  static SSLContext create(ElasticsearchSettings s) throws GeneralSecurityException {
    ConfigProblems problems = new ConfigProblems();
    Optional<TlsFiles> files = files(s, problems);
    if (files.isEmpty()) {
      throw new GeneralSecurityException(problems.all().stream()
          .map(p -> p.key() + ": " + p.message()).collect(Collectors.joining("; ")));
    }
    TrustManager[] trust = s.sslInsecureSkipVerify()
        ? new TrustManager[] {new TrustAll()}
        : files.get().trustManagers().map(TrustManagerFactory::getTrustManagers).orElse(null);
    KeyManager[] keys =
        files.get().keyManagers().map(KeyManagerFactory::getKeyManagers).orElse(null);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, trust, null);
    return ctx;
  }

  /** Accepts every certificate: {@code ssl_insecure_skip_verify}. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
