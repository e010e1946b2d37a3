package io.pumpd.core.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the PEM files of {@code ssl_ca_file}, {@code ssl_cert_file} and {@code ssl_key_file} into
 * JSSE trust and key managers, accepting what Go's {@code crypto/tls} accepts: certificates, and
 * unencrypted private keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or
 * SEC1 ({@code EC PRIVATE KEY}) form. The one PEM reader of the project: the Redis client, the
 * Elasticsearch pump and the configuration check ({@link TlsFiles}) all use it, so what the check
 * accepts is what a connection can use. JDK APIs only. Stateless; every failure is an {@link
 * IOException} or {@link GeneralSecurityException} whose message starts with the file name.
 */
public final class PemFiles {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final char[] NO_PASSWORD = new char[0];

  /** DER of OID 1.2.840.113549.1.1.1 (rsaEncryption). */
  private static final byte[] RSA_OID =
      {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01};
  /** DER of OID 1.2.840.10045.2.1 (id-ecPublicKey). */
  private static final byte[] EC_OID = {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};
  private static final byte[] DER_NULL = {0x05, 0x00};
  private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

  private PemFiles() {}

  /** A trust manager factory trusting every certificate in {@code caFile}. */
  public static TrustManagerFactory trustManagers(Path caFile) throws IOException, GeneralSecurityException {
    List<X509Certificate> certs = certificates(caFile);
    KeyStore store = emptyStore();
    for (int i = 0; i < certs.size(); i++) {
      store.setCertificateEntry("ca-" + i, certs.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return tmf;
  }

  /**
   * A key manager factory presenting the certificate chain in {@code certFile} with its key.
   *
   * @throws GeneralSecurityException also when the key is not the one of the chain's first
   *     certificate (as Go's {@code tls.LoadX509KeyPair} checks)
   */
  public static KeyManagerFactory keyManagers(Path certFile, Path keyFile)
      throws IOException, GeneralSecurityException {
    return keyManagers(certificates(certFile), privateKey(keyFile), keyFile);
  }

  /**
   * A key manager factory for an already read chain and key ({@link #certificates}, {@link
   * #privateKey}); {@code keyFile} names the key in the error when they do not match.
   */
  public static KeyManagerFactory keyManagers(
      List<X509Certificate> chain, PrivateKey key, Path keyFile)
      throws IOException, GeneralSecurityException {
    checkPair(chain.get(0), key, keyFile);
    KeyStore store = emptyStore();
    store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, NO_PASSWORD);
    return kmf;
  }

  /**
   * Fails when {@code key} does not belong to {@code cert}: a signature made with the key must
   * verify with the certificate's public key. Key types without a plain signature scheme here
   * (RSASSA-PSS, XDH) are not checked.
   */
  private static void checkPair(X509Certificate cert, PrivateKey key, Path keyFile)
      throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
      default -> null;
    };
    if (algorithm == null) {
      return;
    }
    byte[] probe = "pumpd key pair check".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (InvalidKeyException | SignatureException e) {
      matches = false; // e.g. an EC key with an RSA certificate
    }
    if (!matches) {
      throw new GeneralSecurityException(keyFile + ": private key does not match the certificate "
          + cert.getSubjectX500Principal().getName());
    }
  }

  /** Every {@code CERTIFICATE} block of {@code file}; at least one. */
  public static List<X509Certificate> certificates(Path file) throws IOException, CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certs = new ArrayList<>();
    Matcher m = BLOCK.matcher(read(file));
    while (m.find()) {
      if (m.group(1).equals("CERTIFICATE")) {
        byte[] der = decode(file, m.group(2));
        try {
          certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        } catch (CertificateException e) {
          throw new CertificateException(file + ": bad certificate: " + e.getMessage(), e);
        }
      }
    }
    if (certs.isEmpty()) {
      throw new CertificateException(file + ": no PEM CERTIFICATE block found");
    }
    return certs;
  }

  /** The first private key block of {@code file}. */
  public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    Matcher m = BLOCK.matcher(read(file));
    while (m.find()) {
      String type = m.group(1);
      switch (type) {
        case "PRIVATE KEY":
          return pkcs8(file, decode(file, m.group(2)));
        case "RSA PRIVATE KEY":
          return pkcs8(file, wrapPkcs8(der(0x30, RSA_OID, DER_NULL), decode(file, m.group(2))));
        case "EC PRIVATE KEY":
          byte[] sec1 = decode(file, m.group(2));
          return pkcs8(file, wrapPkcs8(der(0x30, EC_OID, curveOf(file, sec1)), sec1));
        case "ENCRYPTED PRIVATE KEY":
          throw new GeneralSecurityException(file + ": encrypted private keys are not supported;"
              + " decrypt it (openssl pkcs8 -in key.pem -out plain.pem)");
        default:
          // other blocks (certificates, EC PARAMETERS) may precede the key
      }
    }
    throw new GeneralSecurityException(file + ": no PEM private key block found");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(file + ": unsupported or malformed private key");
  }

  /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING key }. */
  private static byte[] wrapPkcs8(byte[] algorithmIdentifier, byte[] key) {
    return der(0x30, VERSION_0, algorithmIdentifier, der(0x04, key));
  }

  /**
   * The named-curve OID (full TLV) from a SEC1 ECPrivateKey ::= SEQUENCE { version, OCTET STRING,
   * [0] parameters OPTIONAL, [1] publicKey OPTIONAL }.
   */
  private static byte[] curveOf(Path file, byte[] sec1) throws GeneralSecurityException {
    try {
      Der outer = Der.read(sec1, 0);
      int pos = outer.contentStart;
      while (pos < outer.end) {
        Der element = Der.read(sec1, pos);
        if (element.tag == 0xA0) {
          Der oid = Der.read(sec1, element.contentStart);
          if (oid.tag == 0x06) {
            byte[] tlv = new byte[oid.end - element.contentStart];
            System.arraycopy(sec1, element.contentStart, tlv, 0, tlv.length);
            return tlv;
          }
        }
        pos = element.end;
      }
    } catch (IndexOutOfBoundsException e) {
      throw new GeneralSecurityException(file + ": malformed EC PRIVATE KEY", e);
    }
    throw new GeneralSecurityException(file + ": EC PRIVATE KEY without a named curve;"
        + " convert it (openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem)");
  }

  /** A DER element: tag, where its content starts, where it ends. */
  private record Der(int tag, int contentStart, int end) {
    static Der read(byte[] b, int pos) {
      int tag = b[pos] & 0xFF;
      int len = b[pos + 1] & 0xFF;
      int start = pos + 2;
      if (len >= 0x80) {
        int n = len & 0x7F;
        len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (b[start + i] & 0xFF);
        }
        start += n;
      }
      if (start + len > b.length) {
        throw new IndexOutOfBoundsException("DER length past end");
      }
      return new Der(tag, start, start + len);
    }
  }

  /** Encodes one DER element with {@code tag} whose content is the concatenation of {@code parts}. */
  private static byte[] der(int tag, byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      content.writeBytes(p);
    }
    int len = content.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream(len + 6);
    out.write(tag);
    if (len < 0x80) {
      out.write(len);
    } else {
      int bytes = len > 0xFFFFFF ? 4 : len > 0xFFFF ? 3 : len > 0xFF ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((len >>> (8 * i)) & 0xFF);
      }
    }
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  private static String read(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": is a directory, not a PEM file");
    }
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException(file + ": permission denied", e);
    } catch (IOException e) {
      throw new IOException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static byte[] decode(Path file, String base64) throws IOException {
    try {
      return Base64.getMimeDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": bad base64 in PEM block: " + e.getMessage(), e);
    }
  }

  private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    return store;
  }
}
