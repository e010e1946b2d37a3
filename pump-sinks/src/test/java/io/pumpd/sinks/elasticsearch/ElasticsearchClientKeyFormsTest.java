package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.TestCertificates.ClientKey;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mutual TLS with the client key in every PEM form Go's {@code crypto/tls} reads (SEC1 EC, PKCS#1
 * RSA, PKCS#8 of either), the same forms the Redis source is tested with: the pump presents its
 * certificate to a server that requires one, with the openssl-made PKI of the core tests (not this
 * package's keytool-made {@code TestCertificates}, hence the qualified name).
 */
class ElasticsearchClientKeyFormsTest {
  private static io.pumpd.core.testing.TestCertificates certs;
  private static SSLContext serverContext;

  private final List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN).subList(0, 2);

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = io.pumpd.core.testing.TestCertificates.create();
    serverContext = certs.serverContext(true);
  }

  @ParameterizedTest
  @EnumSource(ClientKey.class)
  void presentsTheClientCertificateWithTheKeyInEveryPemForm(ClientKey key) throws Exception {
    try (RecordingElasticsearchServer s = RecordingElasticsearchServer.https(serverContext, true);
        PumpUnderTest p = new PumpUnderTest("keys-" + key, "{\"elasticsearch_url\":\""
            + s.url().replace("127.0.0.1", "localhost") + "\",\"use_ssl\":true,"
            + "\"ssl_ca_file\":\"" + certs.caCert + "\",\"ssl_cert_file\":\"" + certs.clientCert(key)
            + "\",\"ssl_key_file\":\"" + certs.clientKey(key) + "\"}")) {

      assertThat(p.writeAndWait(records).delivered()).isEqualTo(2);
      assertThat(s.bulkRequests()).isNotEmpty()
          .allSatisfy(r -> assertThat(r.clientPrincipal()).isEqualTo(key.subject()));
    }
  }
}
