package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.sinks.csv.testing.CsvRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A pump whose {@code init} fails at start (its {@code csv_dir} cannot be created yet) used to be
 * skipped with no consumer group, so that the other pumps' acknowledgements let its records be
 * trimmed: after the fix and a restart it received 0 of 300 (issue #9). Now its group exists from
 * the first start, readiness names it as not initialised, its init is retried in the background,
 * and it catches up, with or without a restart.
 */
@DisplayName("hostile ops: a pump that cannot initialise at start")
class InitFailureHostileIT extends HostileSuite {
  private static final int RECORDS = 300;

  /** {@code csv_dir} under a path that is a file: creating the directory fails until it is removed. */
  private Path blocker() {
    return work.resolve("blocked");
  }

  private Path csvDir() {
    return blocker().resolve("csv");
  }

  private Map<String, String> twoPumps() throws IOException {
    Files.writeString(blocker(), "a file where the csv directory's parent should be");
    Map<String, String> env = stdoutEnv();
    env.put("TYK_PMP_PUMPS_CSV_TYPE", "csv");
    env.put("TYK_PMP_PUMPS_CSV_META_CSVDIR", csvDir().toString());
    return env;
  }

  /** Api keys of the csv rows written (strictly parsed: a torn row fails). */
  private List<String> csvKeys() {
    List<String> keys = new ArrayList<>();
    if (!Files.isDirectory(csvDir())) {
      return keys;
    }
    try (Stream<Path> files = Files.list(csvDir())) {
      for (Path f : files.filter(p -> p.toString().endsWith(".csv")).toList()) {
        List<List<String>> rows = CsvRows.read(f);
        if (rows.isEmpty()) {
          continue; // created, nothing written yet
        }
        int apiKey = rows.get(0).indexOf("APIKey");
        rows.subList(1, rows.size()).forEach(r -> keys.add(r.get(apiKey)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return keys;
  }

  private void assertNotInitialisedButHealthyPumpDelivers(DaemonProcess d) {
    d.awaitStdoutLines(RECORDS, Duration.ofSeconds(60));
    assertThat(d.logs()).anyMatch(l -> l.contains("Pump init error for csv")
        && l.contains("retrying in the background"));
    await().atMost(Duration.ofSeconds(10)).until(() -> get("ready").body()
        .contains("pump csv: not initialised"));
    assertThat(get("ready").status()).isEqualTo(503);
  }

  @Test
  void itCatchesUpWhenTheProblemIsFixedWhileTheDaemonRuns() throws Exception {
    Map<String, String> env = twoPumps();
    feeder.push(KEY, HostileElements.good("r", RECORDS));
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      assertNotInitialisedButHealthyPumpDelivers(d);
      Files.delete(blocker()); // the operator fixes the directory
      await().atMost(Duration.ofSeconds(60)).ignoreException(IllegalArgumentException.class)
          .until(() -> csvKeys().size() >= RECORDS); // a row being written fails to parse
      assertThat(csvKeys()).hasSize(RECORDS).doesNotHaveDuplicates();
      assertThat(d.logs()).anyMatch(l -> l.contains("Init Pump: csv (after"));
      await().atMost(Duration.ofSeconds(30)).until(() -> get("ready").status() == 200);
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
    }
  }

  @Test
  void itCatchesUpAfterTheFixAndARestart() throws Exception {
    Map<String, String> env = twoPumps();
    feeder.push(KEY, HostileElements.good("r", RECORDS));
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      assertNotInitialisedButHealthyPumpDelivers(d);
      await().atMost(Duration.ofSeconds(30)).until(() -> pending("stdout") == 0);
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
    }
    Files.delete(blocker());
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      await().atMost(Duration.ofSeconds(60)).ignoreException(IllegalArgumentException.class)
          .until(() -> csvKeys().size() >= RECORDS); // a row being written fails to parse
      assertThat(csvKeys()).hasSize(RECORDS).doesNotHaveDuplicates();
      await().atMost(Duration.ofSeconds(30)).until(() -> pending("csv") == 0);
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
      assertThat(d.stdout()).isEmpty(); // stdout had everything already
    }
  }
}
