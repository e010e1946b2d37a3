package io.pumpd.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pumpd.core.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.CertificateException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The private key and certificate forms Go's crypto/tls accepts, made by the openssl CLI. */
class PemFilesTest {
  private static TestCertificates certs;

  @BeforeAll
  static void generate() throws Exception {
    certs = TestCertificates.create();
    certs.openssl("genrsa", "-traditional", "-out", "rsa-pkcs1.key", "2048");
    certs.openssl("genpkey", "-algorithm", "RSA", "-out", "rsa-pkcs8.key");
    certs.openssl("pkcs8", "-topk8", "-nocrypt", "-in", "client.key", "-out", "ec-pkcs8.key");
    certs.openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.key");
    certs.openssl("pkcs8", "-topk8", "-passout", "pass:x", "-in", "rsa-pkcs8.key", "-out", "enc.key");
  }

  private static Path file(String name) {
    return certs.dir.resolve(name);
  }

  @Test
  void readsPkcs1Pkcs8AndSec1Keys() throws Exception {
    assertThat(Files.readString(file("rsa-pkcs1.key"))).contains("BEGIN RSA PRIVATE KEY");
    assertThat(Files.readString(certs.clientKey)).contains("BEGIN EC PRIVATE KEY");

    PrivateKey rsa1 = PemFiles.privateKey(file("rsa-pkcs1.key"));
    PrivateKey rsa8 = PemFiles.privateKey(file("rsa-pkcs8.key"));
    PrivateKey sec1 = PemFiles.privateKey(certs.clientKey);
    PrivateKey ec8 = PemFiles.privateKey(file("ec-pkcs8.key"));
    PrivateKey ed = PemFiles.privateKey(file("ed25519.key"));

    assertThat(rsa1.getAlgorithm()).isEqualTo("RSA");
    assertThat(rsa8.getAlgorithm()).isEqualTo("RSA");
    assertThat(sec1.getAlgorithm()).isEqualTo("EC");
    assertThat(((ECPrivateKey) sec1).getS()).isEqualTo(((ECPrivateKey) ec8).getS());
    assertThat(((ECPrivateKey) sec1).getParams().toString())
        .isEqualTo(((ECPrivateKey) ec8).getParams().toString());
    assertThat(ed.getAlgorithm()).isIn("EdDSA", "Ed25519");
  }

  @Test
  void buildsKeyAndTrustManagers() throws Exception {
    assertThat(PemFiles.keyManagers(certs.clientCert, certs.clientKey).getKeyManagers()).isNotEmpty();
    assertThat(PemFiles.trustManagers(certs.caCert).getTrustManagers()).isNotEmpty();
    assertThat(PemFiles.certificates(certs.serverCert)).singleElement()
        .satisfies(c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=localhost"));
  }

  @Test
  void namesTheFileWhenItCannotBeUsed() throws Exception {
    Files.writeString(file("empty.pem"), "nothing here\n");

    assertThatThrownBy(() -> PemFiles.certificates(file("empty.pem")))
        .isInstanceOf(CertificateException.class).hasMessageContaining("empty.pem");
    assertThatThrownBy(() -> PemFiles.privateKey(certs.caCert))
        .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("no PEM private key");
    assertThatThrownBy(() -> PemFiles.privateKey(file("enc.key")))
        .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("encrypted");
    assertThatThrownBy(() -> PemFiles.certificates(file("missing.pem")))
        .hasMessageContaining("missing.pem");
  }
}
