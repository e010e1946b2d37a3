package io.pumpd.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway PKI made with the {@code openssl} command line (fails, never skips, when it is
 * missing): a CA, a server certificate for {@code DNS:localhost} only, a client certificate with an
 * EC key in SEC1 form ({@code EC PRIVATE KEY}), and an unrelated second CA.
 */
public final class TestCertificates {
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
    return c;
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
