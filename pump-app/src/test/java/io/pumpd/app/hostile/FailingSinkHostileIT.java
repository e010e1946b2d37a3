package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.sinks.csv.testing.CsvRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A csv sink on a full disk with Tyk's default {@code timeout} (0) used to be retried for ever on
 * its thread and logged at DEBUG only, with {@code /ready} at 200; its failed appends left torn
 * rows and the retry appended the batch again; and the shutdown log said "0 entries left in
 * Redis" while 2,001 records were pending (issue #9). Now the failure is a WARN, a readiness
 * reason and a metric; the shutdown log counts what is left; and once the disk has room the csv
 * gets every record exactly once, with no torn row.
 */
@DisplayName("hostile ops: a sink failing on a full disk")
class FailingSinkHostileIT extends HostileSuite {
  private static final int RECORDS = 2001;
  private static final Instant DAY = Instant.parse("2026-11-20T12:00:00Z");

  private Path csvFile() {
    return work.resolve("csv").resolve("2026-November-20.csv");
  }

  private Map<String, String> csvAndStdout() {
    Map<String, String> env = stdoutEnv();
    env.put("TYK_PMP_PUMPS_CSV_TYPE", "csv");
    env.put("TYK_PMP_PUMPS_CSV_META_CSVDIR", work.resolve("csv").toString());
    return env;
  }

  @Test
  void aFailingSinkIsVisibleLeavesItsRecordsInRedisAndGetsThemOnceWhenItRecovers() throws Exception {
    Files.createDirectories(csvFile().getParent());
    Files.createSymbolicLink(csvFile(), Path.of("/dev/full"));
    feeder.push(KEY, HostileElements.good("r", RECORDS, DAY));
    Map<String, String> env = csvAndStdout();
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      d.awaitStdoutLines(RECORDS, Duration.ofSeconds(60)); // the other pump is not held back
      d.awaitLog(l -> l.contains("WARN") && l.contains("csv") && l.contains("No space left on device"),
          Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(30)).until(() -> get("ready").body().contains("pump csv"));
      assertThat(get("ready").status()).isEqualTo(503);
      assertThat(get("ready").body()).contains("No space left on device");
      assertThat(get("metrics").body()).containsPattern(
          "pump_write_errors_total\\{pump=\"csv\",type=\"csv\"} [1-9]");
      assertThat(pending("csv")).isPositive();
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
      String flushed = d.logs().stream().filter(l -> l.contains("Pump csv flushed")).findFirst()
          .orElseThrow();
      Matcher m = Pattern.compile("(\\d+) entries \\((\\d+) records\\) it took left in Redis"
          + " for redelivery; backlog (\\d+) records").matcher(flushed);
      assertThat(m.find()).as(flushed).isTrue();
      assertThat(Long.parseLong(m.group(1))).as(flushed).isEqualTo(pending("csv")).isPositive();
      assertThat(Long.parseLong(m.group(2))).as(flushed).isPositive();
      assertThat(Long.parseLong(m.group(3))).as(flushed).isEqualTo(RECORDS); // nothing confirmed
    }
    Files.delete(csvFile()); // the disk has room again
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      await().atMost(Duration.ofSeconds(60)).ignoreException(IllegalArgumentException.class)
          .until(() -> Files.isRegularFile(csvFile())
              && CsvRows.read(csvFile()).size() > RECORDS); // a row being written fails to parse
      await().atMost(Duration.ofSeconds(30)).until(() -> pending("csv") == 0);
      List<List<String>> rows = CsvRows.read(csvFile()); // strict: fails on a torn row
      int apiKey = rows.get(0).indexOf("APIKey");
      assertThat(rows.subList(1, rows.size())).extracting(r -> r.get(apiKey))
          .hasSize(RECORDS).doesNotHaveDuplicates();
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
    }
  }
}
