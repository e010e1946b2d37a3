package io.pumpd.app.doctor;

import io.pumpd.core.config.CertificateFiles;
import io.pumpd.core.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Expiry of the PEM certificates named by the configuration: every certificate in each file (a CA
 * bundle may hold several) is checked; an expired or unreadable one is a failure, one expiring
 * within the warning window a warning. Files are read with {@link PemFiles}, as the connections
 * read them. Stateless.
 */
final class CertificateChecks {
  private final Duration warnWithin;
  private final Instant now;

  /**
   * @param warnWithin how close to its expiry a certificate is reported
   * @param now the time to check against
   */
  CertificateChecks(Duration warnWithin, Instant now) {
    this.warnWithin = warnWithin;
    this.now = now;
  }

  /**
   * @param owner where the settings live, for the subject ({@code analytics_storage_config},
   *     {@code pumps.es.meta})
   */
  List<Finding> check(String owner, CertificateFiles settings) {
    List<Finding> out = new ArrayList<>();
    for (Map.Entry<String, String> e : settings.certificateFiles().entrySet()) {
      out.add(checkFile(owner + "." + e.getKey(), Path.of(e.getValue())));
    }
    return out;
  }

  private Finding checkFile(String subject, Path file) {
    List<X509Certificate> certs;
    try {
      certs = PemFiles.certificates(file);
    } catch (IOException | GeneralSecurityException e) {
      return Finding.fail("certificate", subject, "cannot read: " + e.getMessage());
    }
    X509Certificate soonest = certs.stream()
        .min(Comparator.comparing(X509Certificate::getNotAfter))
        .orElseThrow();
    Instant notAfter = soonest.getNotAfter().toInstant();
    String who = soonest.getSubjectX500Principal().getName() + " in " + file;
    Duration left = Duration.between(now, notAfter);
    if (left.isNegative()) {
      return Finding.fail("certificate", subject, who + " expired on " + notAfter);
    }
    if (left.compareTo(warnWithin) < 0) {
      return Finding.warn("certificate", subject, who + " expires on " + notAfter + ", in "
          + left.toDays() + " days");
    }
    return Finding.ok("certificate", subject, who + " valid until " + notAfter);
  }
}
