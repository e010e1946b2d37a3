package io.pumpd.app.doctor;

import io.pumpd.core.config.CertificateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Expiry of the PEM certificates named by the configuration: every certificate in each file (a CA
 * bundle may hold several) is checked; an expired or unreadable one is a failure, one expiring
 * within the warning window a warning. Stateless.
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
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(file)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      return Finding.fail("certificate", subject, "cannot read " + file + ": " + e.getMessage());
    }
    if (certs.isEmpty()) {
      return Finding.fail("certificate", subject, "no certificate in " + file);
    }
    X509Certificate soonest = null;
    for (Certificate c : certs) {
      if (c instanceof X509Certificate x
          && (soonest == null || x.getNotAfter().before(soonest.getNotAfter()))) {
        soonest = x;
      }
    }
    if (soonest == null) {
      return Finding.fail("certificate", subject, "no X.509 certificate in " + file);
    }
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
