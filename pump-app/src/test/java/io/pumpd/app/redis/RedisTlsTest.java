package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pumpd.core.config.StorageConfig;
import io.pumpd.core.delivery.SourceUnavailableException;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.core.testing.TestCertificates;
import io.pumpd.core.testing.TestCertificates.ClientKey;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The source over real TLS: a {@code redis-server} with {@code --tls-port}, requiring client
 * certificates and TLS 1.3 only, with certificates made by {@link TestCertificates}. The plain port
 * is used by the test itself to push records.
 */
class RedisTlsTest {
  private static TestCertificates certs;
  private static RedisServerProcess server;
  private static int tlsPort;
  private static TestRedis redis;

  @BeforeAll
  static void startTlsRedis() throws Exception {
    LogCapture.quiet();
    certs = TestCertificates.create();
    tlsPort = RedisServerProcess.freePort();
    server = RedisServerProcess.start(List.of(
        "--tls-port", String.valueOf(tlsPort),
        "--tls-cert-file", certs.serverCert.toString(),
        "--tls-key-file", certs.serverKey.toString(),
        "--tls-ca-cert-file", certs.caCert.toString(),
        "--tls-auth-clients", "yes",
        "--tls-protocols", "TLSv1.3"));
    redis = TestRedis.standalone(server.port());
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void flush() {
    redis.sync().flushall();
  }

  private static StorageConfig config(String host, String extra) {
    return StorageConfigs.json("{\"host\":\"" + host + "\",\"port\":" + tlsPort
        + ",\"timeout\":2,\"use_ssl\":true" + extra + "}");
  }

  private static String mtls(String caFile) {
    return mtls(caFile, ClientKey.EC_SEC1);
  }

  private static String mtls(String caFile, ClientKey key) {
    return ",\"ssl_ca_file\":\"" + caFile + "\",\"ssl_cert_file\":\"" + certs.clientCert(key)
        + "\",\"ssl_key_file\":\"" + certs.clientKey(key) + "\"";
  }

  @Test
  void drainsOverMutualTlsWithTheConfiguredCaAndClientCertificate() throws Exception {
    redis.push("analytics-tyk-system-analytics", TestRedis.elements("tls", 3));
    try (RedisRecordSource source = RedisRecordSource.create(
        config("localhost", mtls(certs.caCert.toString())), SourceOptions.DEFAULTS)) {

      List<PoppedList> batches = source.pollAnalytics(10);

      assertThat(batches).singleElement().satisfies(b -> assertThat(b.elements())
          .extracting(TestRedis::text).containsExactly("tls:0", "tls:1", "tls:2"));
      assertThat(source.isAvailable()).isTrue();
    }
  }

  /** Go's crypto/tls reads the client key in any of these PEM forms; so does the source. */
  @ParameterizedTest
  @EnumSource(ClientKey.class)
  void drainsWithTheClientKeyInEveryPemForm(ClientKey key) throws Exception {
    redis.push("analytics-tyk-system-analytics", TestRedis.elements(key.name(), 1));
    try (RedisRecordSource source = RedisRecordSource.create(
        config("localhost", mtls(certs.caCert.toString(), key)), SourceOptions.DEFAULTS)) {

      List<PoppedList> batches = source.pollAnalytics(10);

      assertThat(batches).singleElement().satisfies(b -> assertThat(b.elements())
          .extracting(TestRedis::text).containsExactly(key.name() + ":0"));
    }
  }

  @Test
  void failsWithoutTheClientCertificateTheServerRequires() {
    assertUnavailable(config("localhost", ",\"ssl_ca_file\":\"" + certs.caCert + "\""),
        "certificate_required");
  }

  @Test
  void failsWhenTheServerCertificateIsNotSignedByTheConfiguredCa() {
    assertUnavailable(config("localhost", mtls(certs.otherCaCert.toString())),
        "unable to find valid certification path");
  }

  @Test
  void checksTheHostNameUnlessVerificationIsSkipped() throws Exception {
    // the server certificate names localhost only
    assertUnavailable(config("127.0.0.1", mtls(certs.caCert.toString())),
        "No subject alternative names matching IP address 127.0.0.1");

    redis.push("analytics-tyk-system-analytics_0", TestRedis.elements("insecure", 1));
    try (RedisRecordSource source = RedisRecordSource.create(
        config("127.0.0.1", mtls(certs.otherCaCert.toString()) + ",\"ssl_insecure_skip_verify\":true"),
        SourceOptions.DEFAULTS)) {
      assertThat(source.pollAnalytics(10)).hasSize(1);
    }
  }

  @Test
  void honoursTheMaximumTlsVersion() {
    assertUnavailable(
        config("localhost", mtls(certs.caCert.toString()) + ",\"ssl_max_version\":\"1.2\""),
        "protocol_version");
  }

  /** Polling fails for the TLS reason named by {@code why} (the JDK's alert or check message). */
  private static void assertUnavailable(StorageConfig config, String why) {
    try (RedisRecordSource source = RedisRecordSource.create(config, SourceOptions.DEFAULTS)) {
      assertThatThrownBy(() -> source.pollAnalytics(10))
          .isInstanceOf(SourceUnavailableException.class)
          .hasMessageContaining(why);
      assertThat(source.isAvailable()).isFalse();
    }
  }
}
