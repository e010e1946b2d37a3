package io.pumpd.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one loader of ssl_ca_file / ssl_cert_file / ssl_key_file, with openssl-made files. */
class TlsFilesTest {
  private static TestCertificates certs;

  @BeforeAll
  static void generate() throws Exception {
    certs = TestCertificates.create();
  }

  private static ConfigProblems load(String ca, String cert, String key) {
    ConfigProblems problems = new ConfigProblems();
    assertThat(TlsFiles.load(ca, cert, key, problems).isPresent()).isEqualTo(problems.isEmpty());
    return problems;
  }

  @Test
  void goodFilesLoadAndNothingSetMeansTheJvmDefaults() {
    ConfigProblems problems = new ConfigProblems();
    TlsFiles files = TlsFiles.load(certs.caCert.toString(), certs.clientCert.toString(),
        certs.clientKey.toString(), problems).orElseThrow();
    assertThat(problems.isEmpty()).isTrue();
    assertThat(files.trustManagers()).isPresent();
    assertThat(files.keyManagers()).isPresent();

    TlsFiles none = TlsFiles.load("", " ", null, problems).orElseThrow();
    assertThat(none.trustManagers()).isEmpty();
    assertThat(none.keyManagers()).isEmpty();
  }

  @Test
  void eachUnusableFileIsReportedUnderItsOwnKeyNamingTheFile() throws Exception {
    Path notPem = certs.dir.resolve("not.pem");
    Files.writeString(notPem, "hello\n");

    assertThat(load("/no/ca.pem", notPem.toString(), "/no/key.pem").all())
        .extracting(ConfigProblems.Problem::key, ConfigProblems.Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ssl_ca_file", "/no/ca.pem: no such file"),
            org.assertj.core.groups.Tuple.tuple("ssl_cert_file",
                notPem + ": no PEM CERTIFICATE block found"),
            org.assertj.core.groups.Tuple.tuple("ssl_key_file", "/no/key.pem: no such file"));
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsReportedOnTheKey() {
    // the server key (RSA) with the client certificate (EC), and the CA's key with the server's
    assertThat(load("", certs.clientCert.toString(), certs.serverKey.toString()).all())
        .singleElement().satisfies(p -> {
          assertThat(p.key()).isEqualTo("ssl_key_file");
          assertThat(p.message()).isEqualTo(certs.serverKey
              + ": private key does not match the certificate CN=pumpd");
        });
    assertThat(load("", certs.serverCert.toString(), certs.dir.resolve("ca.key").toString())
        .all()).singleElement().satisfies(p -> assertThat(p.message())
            .contains("does not match the certificate CN=localhost"));
  }

  @Test
  void aCertificateWithoutItsKeyIsLeftToTheCaller() {
    assertThat(load("", "/no/cert.pem", "").isEmpty()).isTrue();
  }
}
