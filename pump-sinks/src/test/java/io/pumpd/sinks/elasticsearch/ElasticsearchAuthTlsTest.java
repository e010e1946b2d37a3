package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.sinks.elasticsearch.RecordingElasticsearchServer.Recorded;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Authentication, TLS and media types, against {@link RecordingElasticsearchServer} (the embedded
 * node has no security layer and speaks only 8.x).
 */
class ElasticsearchAuthTlsTest {
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN).subList(0, 5);

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private RecordingElasticsearchServer server(RecordingElasticsearchServer s) {
    toClose.add(s);
    return s;
  }

  private PumpUnderTest pump(String url, String extraMeta) throws Exception {
    PumpUnderTest p = new PumpUnderTest("tls-" + toClose.size(),
        "{\"elasticsearch_url\":\"" + url + "\"" + (extraMeta.isEmpty() ? "" : "," + extraMeta) + "}");
    toClose.add(p);
    return p;
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertEveryRequest(RecordingElasticsearchServer s, String header, String value) {
    assertThat(s.requests()).isNotEmpty().allSatisfy(r -> assertThat(r.header(header)).as(r.path()).isEqualTo(value));
  }

  @Test
  void basicAuthentication() throws Exception {
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.http());
    PumpUnderTest p = pump(s.url(), "\"auth_basic_username\":\"elastic\",\"auth_basic_password\":\"s3cr:et\"");
    assertThat(p.writeAndWait(records).delivered()).isEqualTo(5);
    assertEveryRequest(s, "Authorization", "Basic " + b64("elastic:s3cr:et"));
  }

  @Test
  void credentialsInTheUrl() throws Exception {
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.http());
    PumpUnderTest p = pump("http://user:pa%40ss@127.0.0.1:" + s.port(), "");
    assertThat(p.writeAndWait(records).delivered()).isEqualTo(5);
    assertEveryRequest(s, "Authorization", "Basic " + b64("user:pa@ss"));
  }

  @Test
  void apiKeyWinsOverBasic() throws Exception {
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.http());
    PumpUnderTest p = pump(s.url(),
        "\"auth_api_key_id\":\"kid\",\"auth_api_key\":\"key\",\"auth_basic_username\":\"u\",\"auth_basic_password\":\"p\"");
    assertThat(p.writeAndWait(records).delivered()).isEqualTo(5);
    assertEveryRequest(s, "Authorization", "ApiKey " + b64("kid:key"));
  }

  /** Tyk loses the API key when use_ssl is on; here it travels over TLS verified with ssl_ca_file. */
  @Test
  void apiKeyOverTlsWithACaFile() throws Exception {
    TestCertificates certs = TestCertificates.get();
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.https(certs.serverContext(), false));
    PumpUnderTest p = pump(s.url(), "\"auth_api_key_id\":\"kid\",\"auth_api_key\":\"key\",\"use_ssl\":true,"
        + "\"ssl_ca_file\":\"" + certs.serverCertPem + "\"");
    assertThat(p.writeAndWait(records).delivered()).isEqualTo(5);
    assertEveryRequest(s, "Authorization", "ApiKey " + b64("kid:key"));
  }

  @Test
  void insecureSkipVerifyAcceptsAnUntrustedCertificate() throws Exception {
    TestCertificates certs = TestCertificates.get();
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.https(certs.serverContext(), false));
    PumpUnderTest p = pump(s.url().replace("127.0.0.1", "localhost"), "\"use_ssl\":true,\"ssl_insecure_skip_verify\":true");
    assertThat(p.writeAndWait(records).delivered()).isEqualTo(5);
  }

  @Test
  void anUntrustedCertificateIsNotAcceptedAndTheDocumentsFailWithTheReason() throws Exception {
    TestCertificates certs = TestCertificates.get();
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.https(certs.serverContext(), false));
    PumpUnderTest p = pump(s.url(), "\"use_ssl\":true");
    WriteResult r = p.pump.write(records, Deadline.after(Duration.ofSeconds(2))).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(r.delivered()).isZero();
    assertThat(r.failures()).hasSize(5).allSatisfy(f ->
        assertThat(f.reason()).contains("within the pump's timeout").containsPattern("SSL|PKIX|certificat"));
    assertThat(s.bulkRequests()).isEmpty();
  }

  @Test
  void mutualTlsPresentsTheClientCertificate() throws Exception {
    TestCertificates certs = TestCertificates.get();
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.https(certs.serverContext(), true));
    PumpUnderTest withoutCertificate = pump(s.url(), "\"use_ssl\":true,\"ssl_ca_file\":\"" + certs.serverCertPem + "\"");
    WriteResult refused = withoutCertificate.pump.write(records, Deadline.after(Duration.ofSeconds(2)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(refused.failures()).hasSize(5);
    for (var key : List.of(certs.clientKeyPem, certs.clientRsaKeyPem)) {
      PumpUnderTest p = pump(s.url(), "\"use_ssl\":true,\"ssl_ca_file\":\"" + certs.serverCertPem + "\","
          + "\"ssl_cert_file\":\"" + certs.clientCertPem + "\",\"ssl_key_file\":\"" + key + "\"");
      assertThat(p.writeAndWait(records).delivered()).as("key %s", key.getFileName()).isEqualTo(5);
    }
    assertThat(s.bulkRequests()).hasSize(2).allSatisfy(r -> assertThat(r.clientPrincipal()).isEqualTo("CN=pumpd-client"));
  }

  @Test
  void aMissingTlsFileIsASettingsProblemAndStillFailsInitIfItVanishesAfterTheCheck() throws Exception {
    String meta = "{\"elasticsearch_url\":\"https://127.0.0.1:1\",\"use_ssl\":true,"
        + "\"ssl_ca_file\":\"/nonexistent/ca.pem\"}";
    assertThat(ElasticsearchSettingsTest.problems(meta).all()).singleElement().satisfies(p -> {
      assertThat(p.key()).isEqualTo("ssl_ca_file");
      assertThat(p.message()).isEqualTo("/nonexistent/ca.pem: no such file");
    });

    ElasticsearchSettings unchecked = ElasticsearchSettingsTest.bind(meta);
    Pump pump = new ElasticsearchPumpFactory().create("vanished", unchecked);
    assertThatThrownBy(() -> pump.init(new PumpContext("vanished", "elasticsearch", Duration.ZERO,
        new SimpleMeterRegistry())))
        .isInstanceOf(PumpException.class)
        .hasMessageContaining("/nonexistent/ca.pem");
    pump.close();
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsASettingsProblem() throws Exception {
    TestCertificates certs = TestCertificates.get();
    assertThat(ElasticsearchSettingsTest.problems("{\"use_ssl\":true,\"ssl_cert_file\":\""
        + certs.serverCertPem + "\",\"ssl_key_file\":\"" + certs.clientKeyPem + "\"}").all())
        .singleElement().satisfies(p -> {
          assertThat(p.key()).isEqualTo("ssl_key_file");
          assertThat(p.message()).contains("does not match the certificate CN=localhost");
        });
  }

  @Test
  void version8SendsTheCompatibleWith8MediaType() throws Exception {
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.http());
    PumpUnderTest p = pump(s.url(), "\"version\":\"8\"");
    p.writeAndWait(records);
    Recorded bulk = s.bulkRequests().get(0);
    assertThat(bulk.header("Content-Type")).contains("compatible-with=8");
  }

  /** 7.x rejects compatible-with=8, and 7.x before 7.14 sends no product header. */
  @Test
  void version7SendsPlainJsonAndAcceptsAnswersWithoutTheProductHeader() throws Exception {
    RecordingElasticsearchServer s = server(RecordingElasticsearchServer.http());
    s.productHeader(false);
    PumpUnderTest p = pump(s.url(), "\"version\":\"7\"");
    assertThat(p.writeAndWait(records).delivered()).isEqualTo(5);
    assertThat(s.requests()).isNotEmpty().allSatisfy(r -> {
      assertThat(r.header("Accept")).doesNotContain("compatible-with");
      if (r.header("Content-Type") != null) {
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
      }
    });
  }
}
