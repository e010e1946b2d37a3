package io.pumpd.app.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Certificate expiry against real PEM files made with openssl (a CA valid for 2 days). */
class CertificateChecksTest {
  private static Path twoDayCa;

  @BeforeAll
  static void certificates() throws Exception {
    twoDayCa = TestCertificates.create().caCert;
  }

  private static List<Finding> check(Duration warnWithin, Instant now, Path file) {
    return new CertificateChecks(warnWithin, now).check("pumps.es.meta",
        () -> Map.of("ssl_ca_file", file.toString()));
  }

  @Test
  void aCertificateExpiringWithinTheWindowIsAWarningNamingItAndItsDate() {
    assertThat(check(Duration.ofDays(30), Instant.now(), twoDayCa)).singleElement().satisfies(f -> {
      assertThat(f.status()).isEqualTo(Finding.Status.WARN);
      assertThat(f.subject()).isEqualTo("pumps.es.meta.ssl_ca_file");
      assertThat(f.detail()).contains("CN=pumpd-test-ca").contains("expires on").contains("in 1 days");
    });
  }

  @Test
  void aCertificateFarFromItsExpiryIsOk() {
    assertThat(check(Duration.ofDays(1), Instant.now(), twoDayCa)).singleElement()
        .satisfies(f -> assertThat(f.status()).isEqualTo(Finding.Status.OK));
  }

  @Test
  void anExpiredCertificateIsAFailure() {
    assertThat(check(Duration.ofDays(30), Instant.now().plus(Duration.ofDays(3)), twoDayCa))
        .singleElement().satisfies(f -> {
          assertThat(f.status()).isEqualTo(Finding.Status.FAIL);
          assertThat(f.detail()).contains("expired on");
        });
  }

  @Test
  void aMissingFileIsAFailureNamingIt() {
    Path missing = twoDayCa.resolveSibling("nope.pem");
    assertThat(check(Duration.ofDays(30), Instant.now(), missing)).singleElement().satisfies(f -> {
      assertThat(f.status()).isEqualTo(Finding.Status.FAIL);
      assertThat(f.detail()).contains("cannot read").contains("nope.pem");
    });
  }
}
