package io.pumpd.app.redis;

import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.StorageConfig;
import io.pumpd.core.tls.TlsFiles;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS part of {@code analytics_storage_config} with its PEM files loaded ({@code
 * reference/tyk-pump.md} §2.5; checked by {@link StorageConfig#validate}), mapped onto Lettuce:
 *
 * <ul>
 *   <li>{@code use_ssl} (or {@code redis_use_ssl}) turns TLS on; the other keys are ignored
 *       without it, as in Tyk;
 *   <li>{@code ssl_insecure_skip_verify} (or its alias) maps to {@link SslVerifyMode#NONE};
 *       otherwise {@link SslVerifyMode#FULL}: the chain and the host name are checked, as Go's
 *       {@code crypto/tls} does;
 *   <li>{@code ssl_ca_file}: the trusted CAs (PEM); without it the JDK's default trust store;
 *   <li>{@code ssl_cert_file} + {@code ssl_key_file}: a client certificate (mTLS), only when both
 *       are set (as in Tyk; one without the other is logged and ignored);
 *   <li>{@code ssl_min_version} / {@code ssl_max_version} ({@code "1.0"} to {@code "1.3"}): the
 *       enabled protocols, {@code TLSv1} to {@code TLSv1.3}, both ends included. The JDK disables
 *       TLS 1.0 and 1.1 by default ({@code jdk.tls.disabledAlgorithms}), so those only work if the
 *       JVM's security properties allow them.
 * </ul>
 *
 * <p>Immutable; build with {@link #from}.
 */
public final class RedisTls {
  private static final Logger LOG = LoggerFactory.getLogger(RedisTls.class);

  private final boolean verifyPeer;
  private final List<String> protocols;
  private final TrustManagerFactory trustManagers;
  private final KeyManagerFactory keyManagers;

  private RedisTls(boolean verifyPeer, List<String> protocols, TrustManagerFactory trustManagers,
      KeyManagerFactory keyManagers) {
    this.verifyPeer = verifyPeer;
    this.protocols = List.copyOf(protocols);
    this.trustManagers = trustManagers;
    this.keyManagers = keyManagers;
  }

  /**
   * The TLS settings of {@code config}, or empty when TLS is off or a file cannot be used (then
   * {@code problems} says why, as {@link StorageConfig#validate} does: both load the files with
   * {@link TlsFiles}).
   */
  public static Optional<RedisTls> from(StorageConfig config, ConfigProblems problems) {
    if (!config.useSsl()) {
      return Optional.empty();
    }
    boolean cert = !config.sslCertFile().isBlank();
    boolean key = !config.sslKeyFile().isBlank();
    if (cert != key) {
      LOG.warn("analytics_storage_config: {} is set without {}; no client certificate is sent"
              + " (Tyk Pump ignores it too)",
          cert ? "ssl_cert_file" : "ssl_key_file", cert ? "ssl_key_file" : "ssl_cert_file");
    }
    return TlsFiles.load(config.sslCaFile(), config.sslCertFile(), config.sslKeyFile(), problems)
        .map(files -> new RedisTls(!config.sslInsecureSkipVerify(), config.tlsProtocols(),
            files.trustManagers().orElse(null), files.keyManagers().orElse(null)));
  }

  /** False when {@code ssl_insecure_skip_verify} is set. */
  public boolean verifyPeer() {
    return verifyPeer;
  }

  public SslVerifyMode verifyMode() {
    return verifyPeer ? SslVerifyMode.FULL : SslVerifyMode.NONE;
  }

  /** Enabled protocols, e.g. {@code [TLSv1.2, TLSv1.3]}. */
  public List<String> protocols() {
    return protocols;
  }

  /** Whether {@code ssl_ca_file} replaces the JDK's default trust store. */
  public boolean hasCustomCa() {
    return trustManagers != null;
  }

  /** Whether a client certificate is presented (mTLS). */
  public boolean hasClientCertificate() {
    return keyManagers != null;
  }

  /** The Lettuce options: JDK provider, protocols, trust and key managers, handshake timeout. */
  public SslOptions sslOptions(Duration handshakeTimeout) {
    SslOptions.Builder b = SslOptions.builder()
        .jdkSslProvider()
        .protocols(protocols.toArray(new String[0]))
        .handshakeTimeout(handshakeTimeout);
    if (trustManagers != null) {
      b.trustManager(trustManagers);
    }
    if (keyManagers != null) {
      b.keyManager(keyManagers);
    }
    return b.build();
  }
}
