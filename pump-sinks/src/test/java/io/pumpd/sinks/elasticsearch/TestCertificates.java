package io.pumpd.sinks.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed TLS material generated for a test run with the JDK's {@code keytool}: a server
 * certificate for {@code localhost}/{@code 127.0.0.1} and a client certificate, as PKCS#12 stores
 * and as the PEM files the pump reads ({@code ssl_ca_file}, {@code ssl_cert_file}, {@code
 * ssl_key_file}).
 */
final class TestCertificates {
  private static final String PASSWORD = "changeit";
  private static TestCertificates instance;

  final Path dir;
  final Path serverStore;
  final Path serverCertPem;
  final Path clientStore;
  final Path clientCertPem;
  final Path clientKeyPem;
  final Path clientRsaKeyPem;

  private TestCertificates(Path dir) throws Exception {
    this.dir = dir;
    serverStore = dir.resolve("server.p12");
    serverCertPem = dir.resolve("server.pem");
    clientStore = dir.resolve("client.p12");
    clientCertPem = dir.resolve("client.pem");
    clientKeyPem = dir.resolve("client-key.pem");
    clientRsaKeyPem = dir.resolve("client-rsa-key.pem");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", serverStore.toString(),
        "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", serverStore.toString(), "-storepass", PASSWORD,
        "-file", serverCertPem.toString());
    keytool("-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3",
        "-dname", "CN=pumpd-client", "-keystore", clientStore.toString(), "-storetype", "PKCS12",
        "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", clientStore.toString(), "-storepass", PASSWORD,
        "-file", clientCertPem.toString());
    PrivateKey key = (PrivateKey) load(clientStore).getKey("client", PASSWORD.toCharArray());
    Files.writeString(clientKeyPem, pem("PRIVATE KEY", key.getEncoded()));
    Files.writeString(clientRsaKeyPem, pem("RSA PRIVATE KEY", pkcs1Of(key.getEncoded())));
  }

  static synchronized TestCertificates get() throws Exception {
    if (instance == null) {
      instance = new TestCertificates(Files.createTempDirectory("pumpd-tls-"));
    }
    return instance;
  }

  /** The server side: its key, and (for mutual TLS) trust in the client certificate. */
  SSLContext serverContext() throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(serverStore), PASSWORD.toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("client", load(clientStore).getCertificate("client"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private static KeyStore load(Path store) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** The PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: the content of its OCTET STRING. */
  static byte[] pkcs1Of(byte[] pkcs8) {
    int[] pos = {0};
    readHeader(pkcs8, pos, 0x30); // PrivateKeyInfo
    skip(pkcs8, pos); // version
    skip(pkcs8, pos); // algorithm
    int len = readHeader(pkcs8, pos, 0x04);
    byte[] out = new byte[len];
    System.arraycopy(pkcs8, pos[0], out, 0, len);
    return out;
  }

  private static int readHeader(byte[] der, int[] pos, int tag) {
    if ((der[pos[0]++] & 0xff) != tag) {
      throw new IllegalArgumentException("unexpected DER tag");
    }
    int len = der[pos[0]++] & 0xff;
    if (len >= 0x80) {
      int n = len & 0x7f;
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (der[pos[0]++] & 0xff);
      }
    }
    return len;
  }

  private static void skip(byte[] der, int[] pos) {
    int tag = der[pos[0]] & 0xff;
    int len = readHeader(der, pos, tag);
    pos[0] += len;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(keytool.toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("keytool failed: " + String.join(" ", cmd) + "\n" + out);
    }
  }
}
