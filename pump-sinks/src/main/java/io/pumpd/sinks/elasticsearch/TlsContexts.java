package io.pumpd.sinks.elasticsearch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the {@link SSLContext} for {@code use_ssl}: trust from {@code ssl_ca_file} (PEM, one or
 * more certificates) or the JVM's default trust store, or none at all with {@code
 * ssl_insecure_skip_verify}; a client certificate from {@code ssl_cert_file} + {@code ssl_key_file}
 * (PEM certificate chain; PEM key as PKCS#8 {@code PRIVATE KEY} (RSA, EC, EdDSA) or PKCS#1 {@code RSA
 * PRIVATE KEY}). JDK APIs only. Stateless.
 */
final class TlsContexts {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]+)-----END \\1-----");
  private static final char[] NO_PASSWORD = new char[0];

  private TlsContexts() {}

  /**
   * The context for these files.
   *
   * @param caFile PEM CA bundle, or empty for the JVM default trust
   * @param certFile PEM client certificate (chain), or empty for none
   * @param keyFile PEM private key of {@code certFile}, or empty for none
   * @param skipVerify trust any server certificate (and, with it, any host name)
   * @throws IOException a file is missing or unreadable
   * @throws GeneralSecurityException a file does not hold what it should
   */
  static SSLContext create(String caFile, String certFile, String keyFile, boolean skipVerify)
      throws IOException, GeneralSecurityException {
    TrustManager[] trust;
    if (skipVerify) {
      trust = new TrustManager[] {new TrustAll()};
    } else if (!caFile.isEmpty()) {
      KeyStore ks = emptyStore();
      int i = 0;
      for (Certificate c : certificates(Path.of(caFile))) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      trust = tmf.getTrustManagers();
    } else {
      trust = null; // JVM default
    }
    KeyManager[] keys = null;
    if (!certFile.isEmpty() && !keyFile.isEmpty()) {
      List<Certificate> chain = certificates(Path.of(certFile));
      PrivateKey key = privateKey(Path.of(keyFile));
      KeyStore ks = emptyStore();
      ks.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, NO_PASSWORD);
      keys = kmf.getKeyManagers();
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, trust, null);
    return ctx;
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, NO_PASSWORD);
    return ks;
  }

  static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new GeneralSecurityException("no certificate in " + file);
      }
      return new ArrayList<>(certs);
    }
  }

  static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      switch (type) {
        case "PRIVATE KEY":
          return pkcs8(der, file);
        case "RSA PRIVATE KEY":
          return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(rsaPkcs1ToPkcs8(der)));
        case "EC PRIVATE KEY":
        case "ENCRYPTED PRIVATE KEY":
          throw new GeneralSecurityException(
              file + " holds an " + type + "; convert it to an unencrypted PKCS#8 key: "
                  + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
        default:
          // e.g. EC PARAMETERS before the key: skip
      }
    }
    throw new GeneralSecurityException("no PEM private key in " + file);
  }

  private static PrivateKey pkcs8(byte[] der, Path file) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : new String[] {"RSA", "EC", "EdDSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException wrongAlgorithm) {
        // try the next one
      }
    }
    throw new GeneralSecurityException("unsupported private key algorithm in " + file);
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (DER). */
  static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] algorithm = {
      0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };
    byte[] octets = derTagged(0x04, pkcs1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(algorithm);
    body.writeBytes(octets);
    return derTagged(0x30, body.toByteArray());
  }

  private static byte[] derTagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(len) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((len >>> (8 * i)) & 0xff);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** Accepts every certificate: {@code ssl_insecure_skip_verify}. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
