package io.pumpd.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pumpd.core.testing.TestCertificates;
import io.pumpd.core.testing.TestCertificates.ClientKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.interfaces.ECPrivateKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The private key and certificate forms Go's crypto/tls accepts, made by the openssl CLI. */
class PemFilesTest {
  private static TestCertificates certs;

  @BeforeAll
  static void generate() throws Exception {
    certs = TestCertificates.create();
    certs.openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.key");
    certs.openssl("pkcs8", "-topk8", "-passout", "pass:x", "-in",
        certs.clientKey(ClientKey.RSA_PKCS8).toString(), "-out", "enc.key");
  }

  private static Path file(String name) {
    return certs.dir.resolve(name);
  }

  @Test
  void readsPkcs1Pkcs8AndSec1Keys() throws Exception {
    assertThat(Files.readString(certs.clientKey(ClientKey.RSA_PKCS1)))
        .contains("BEGIN RSA PRIVATE KEY");
    assertThat(Files.readString(certs.clientKey(ClientKey.RSA_PKCS8))).contains("BEGIN PRIVATE KEY");
    assertThat(Files.readString(certs.clientKey(ClientKey.EC_SEC1))).contains("BEGIN EC PRIVATE KEY");
    assertThat(Files.readString(certs.clientKey(ClientKey.EC_PKCS8))).contains("BEGIN PRIVATE KEY");

    PrivateKey rsa1 = PemFiles.privateKey(certs.clientKey(ClientKey.RSA_PKCS1));
    PrivateKey rsa8 = PemFiles.privateKey(certs.clientKey(ClientKey.RSA_PKCS8));
    PrivateKey sec1 = PemFiles.privateKey(certs.clientKey(ClientKey.EC_SEC1));
    PrivateKey ec8 = PemFiles.privateKey(certs.clientKey(ClientKey.EC_PKCS8));
    PrivateKey ed = PemFiles.privateKey(file("ed25519.key"));

    assertThat(rsa1.getAlgorithm()).isEqualTo("RSA");
    assertThat(rsa8.getAlgorithm()).isEqualTo("RSA");
    assertThat(rsa1.getEncoded()).isEqualTo(rsa8.getEncoded());
    assertThat(sec1.getAlgorithm()).isEqualTo("EC");
    assertThat(((ECPrivateKey) sec1).getS()).isEqualTo(((ECPrivateKey) ec8).getS());
    assertThat(((ECPrivateKey) sec1).getParams().toString())
        .isEqualTo(((ECPrivateKey) ec8).getParams().toString());
    assertThat(ed.getAlgorithm()).isIn("EdDSA", "Ed25519");
  }

  @ParameterizedTest
  @EnumSource(ClientKey.class)
  void everyKeyFormPairsWithItsCertificate(ClientKey key) throws Exception {
    assertThat(PemFiles.keyManagers(certs.clientCert(key), certs.clientKey(key)).getKeyManagers())
        .isNotEmpty();
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
