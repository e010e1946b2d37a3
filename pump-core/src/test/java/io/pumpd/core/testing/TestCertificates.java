package io.pumpd.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throwaway PKI made with the {@code openssl} command line (fails, never skips, when it is
 * missing): a CA, a server certificate for {@code DNS:localhost} only, a client certificate with an
 * EC key in SEC1 form ({@code EC PRIVATE KEY}), a second client certificate with an RSA key, every
 * client key also in the other forms Go's {@code crypto/tls} reads ({@link ClientKey}), and an
 * unrelated second CA.
 */
public final class TestCertificates {
  private static final String STORE_PASSWORD = "changeit";

  /** A client key in one of the PEM forms a TLS client must accept, with its certificate. */
  public enum ClientKey {
    /** EC key, SEC1 ({@code BEGIN EC PRIVATE KEY}); certificate subject {@code CN=pumpd}. */
    EC_SEC1("client.key", "client.pem", "CN=pumpd"),
    /** The same EC key, PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    EC_PKCS8("client-ec-pkcs8.key", "client.pem", "CN=pumpd"),
    /** RSA key, PKCS#1 ({@code BEGIN RSA PRIVATE KEY}); subject {@code CN=pumpd-rsa}. */
    RSA_PKCS1("client-rsa-pkcs1.key", "client-rsa.pem", "CN=pumpd-rsa"),
    /** The same RSA key, PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    RSA_PKCS8("client-rsa-pkcs8.key", "client-rsa.pem", "CN=pumpd-rsa");

    private final String keyFile;
    private final String certFile;
    private final String subject;

    ClientKey(String keyFile, String certFile, String subject) {
      this.keyFile = keyFile;
      this.certFile = certFile;
      this.subject = subject;
    }

    /** The subject of this key's certificate, as a TLS server sees the client. */
    public String subject() {
      return subject;
    }
  }

  public final Path dir;
  /** A self-signed CA certificate valid for 2 days from its creation. */
  public final Path caCert;
  public final Path serverCert;
  public final Path serverKey;
  public final Path clientCert;
  public final Path clientKey;
  public final Path otherCaCert;

  private TestCertificates(Path dir) {
    this.dir = dir;
    this.caCert = dir.resolve("ca.pem");
    this.serverCert = dir.resolve("server.pem");
    this.serverKey = dir.resolve("server.key");
    this.clientCert = dir.resolve("client.pem");
    this.clientKey = dir.resolve("client.key");
    this.otherCaCert = dir.resolve("other-ca.pem");
  }

  public static TestCertificates create() throws IOException {
    TestCertificates c = new TestCertificates(Files.createTempDirectory("redis-tls"));
    c.selfSignedCa("ca", "pumpd-test-ca");
    c.selfSignedCa("other-ca", "unrelated-ca");
    Files.writeString(c.dir.resolve("server.ext"), "subjectAltName=DNS:localhost\n");
    c.openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost");
    c.openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
    c.openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "client.key");
    c.openssl("req", "-new", "-key", "client.key", "-out", "client.csr", "-subj", "/CN=pumpd");
    c.openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "client.pem", "-days", "2");
    c.openssl("pkcs8", "-topk8", "-nocrypt", "-in", "client.key", "-out", "client-ec-pkcs8.key");
    c.openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
        "-out", "client-rsa-pkcs8.key");
    c.openssl("rsa", "-in", "client-rsa-pkcs8.key", "-traditional", "-out", "client-rsa-pkcs1.key");
    c.openssl("req", "-new", "-key", "client-rsa-pkcs8.key", "-out", "client-rsa.csr",
        "-subj", "/CN=pumpd-rsa");
    c.openssl("x509", "-req", "-in", "client-rsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "client-rsa.pem", "-days", "2");
    return c;
  }

  /** The key file of {@code key}. */
  public Path clientKey(ClientKey key) {
    return dir.resolve(key.keyFile);
  }

  /** The certificate file that goes with {@code key}. */
  public Path clientCert(ClientKey key) {
    return dir.resolve(key.certFile);
  }

  /**
   * A server-side context presenting {@link #serverCert} and, with {@code trustCa}, trusting
   * client certificates issued by {@link #caCert}. Built through a PKCS#12 store made by openssl
   * and the JDK's own readers, independently of the project's PEM reader.
   */
  public SSLContext serverContext(boolean trustCa) throws IOException, GeneralSecurityException {
    openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out", "server.p12",
        "-passout", "pass:" + STORE_PASSWORD);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
      keys.load(in, STORE_PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, STORE_PASSWORD.toCharArray());
    TrustManager[] trust = null;
    if (trustCa) {
      KeyStore cas = KeyStore.getInstance("PKCS12");
      cas.load(null, null);
      try (InputStream in = Files.newInputStream(caCert)) {
        cas.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(cas);
      trust = tmf.getTrustManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), trust, null);
    return ctx;
  }

  private void selfSignedCa(String name, String cn) throws IOException {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
        "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + cn);
  }

  /** Runs {@code openssl args...} in {@link #dir}; fails with its output when it does. */
  public String openssl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run openssl (install it): " + e.getMessage(), e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("openssl failed: " + cmd + "\n" + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return out;
  }
}
