package io.pumpd.app.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pumpd.app.PumpRegistry;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.redis.RedisConnectionFactory;
import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.config.CertificateFiles;
import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.config.LoadedPump;
import io.pumpd.core.config.PumpConfiguration;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routine maintenance checks behind {@code pump doctor}, read-only: Redis memory,
 * fragmentation, eviction policy and persistence; the gateway lists' backlog and TTL (records
 * about to expire unread, lists that nothing drains and that never expire) and, with {@code
 * at_least_once}, each pump's pending entries; every
 * configured sink's reachability; the expiry of the configured certificate files. One run per
 * instance; not thread-safe.
 */
public final class Doctor {
  private final PumpRegistry registry;
  private final Duration sinkWait;
  private final Duration certWarning;

  /**
   * @param sinkWait how long each sink may take to become ready
   * @param certWarning how close to its expiry a certificate is reported
   */
  public Doctor(PumpRegistry registry, Duration sinkWait, Duration certWarning) {
    this.registry = registry;
    this.sinkWait = sinkWait;
    this.certWarning = certWarning;
  }

  /** Runs every check against what {@code loaded} configures. */
  public List<Finding> examine(LoadedConfig loaded) {
    PumpConfiguration config = loaded.configuration();
    List<Finding> findings = new ArrayList<>();
    RedisConnectionFactory factory = RedisConnectionFactory.create(config.analyticsStorageConfig());
    AnalyticsKeys keys =
        AnalyticsKeys.withPrefix(config.analyticsStorageConfig().effectiveKeyPrefix());
    try (RedisLink link = factory.open()) {
      findings.addAll(new RedisChecks(link, keys, DrainedLists.of(keys, loaded, registry),
          config.delivery().streamSuffix(), config.atLeastOnce(),
          factory.settings().timeout().plusSeconds(1)).run());
    }
    findings.addAll(new SinkChecks(registry, sinkWait).run(loaded.pumps().values()));
    CertificateChecks certs = new CertificateChecks(certWarning, Instant.now());
    findings.addAll(certs.check("analytics_storage_config", config.analyticsStorageConfig()));
    for (LoadedPump p : loaded.pumps().values()) {
      if (p.settings() instanceof CertificateFiles files) {
        findings.addAll(certs.check("pumps." + p.name() + ".meta", files));
      }
    }
    return findings;
  }

  /** The worst status among {@code findings} ({@link Finding.Status#OK} when there are none). */
  public static Finding.Status worst(List<Finding> findings) {
    return findings.stream().map(Finding::status).max(Enum::compareTo).orElse(Finding.Status.OK);
  }

  /** Prints {@code findings} as an aligned table, one line each. */
  public static void printTable(List<Finding> findings, PrintStream out) {
    int area = "AREA".length();
    int subject = "SUBJECT".length();
    for (Finding f : findings) {
      area = Math.max(area, f.area().length());
      subject = Math.max(subject, f.subject().length());
    }
    String format = "%-4s  %-" + area + "s  %-" + subject + "s  %s%n";
    out.printf(format, "", "AREA", "SUBJECT", "DETAIL");
    for (Finding f : findings) {
      out.printf(format, f.status(), f.area(), f.subject(), f.detail());
    }
  }

  /** Prints {@code {"status": worst, "findings": [...]}}. */
  public static void printJson(List<Finding> findings, PrintStream out) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("status", worst(findings));
    doc.put("findings", findings);
    try {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(doc));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
