package io.pumpd.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.testing.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties 1 and 6 of issue #5: the daemon is killed with SIGKILL at random moments, again and
 * again, while a gateway pushes records; then stopped with SIGTERM while a sink is down. Every
 * record reaches every sink; duplicates stay within what was in flight at the kills; SIGTERM exits
 * 0 within the shutdown deadline.
 */
@DisplayName("chaos: kill -9 repeatedly, then SIGTERM with a sink down")
class KillNineChaosIT {
  private static final String NAME = "chaos-1";
  @TempDir Path work;

  @Test
  void killNineAtAnyMomentLosesNothingAndSigtermWithASinkDownExitsZero() throws Exception {
    ChaosSize size = ChaosSize.current();
    try (RedisServerProcess redis = RedisServerProcess.start();
        ChaosDaemons daemons = new ChaosDaemons("KillNine", redis.port(), work).stdoutPump("stdout")
            .csvPump("csv");
        // Tyk's 60 s TTL: the lists are exposed to it while NO daemon runs (between a kill
        // and the restart), exactly as with Tyk Pump; SinkOutageChaosIT shortens it
        Gateway gateway = new Gateway(redis.port(), size.records(), size.ratePerSecond(),
            Duration.ofSeconds(60))) {
      SinkLedger stdout = SinkLedger.stdout("stdout");
      SinkLedger csv = SinkLedger.csv("csv").watch(daemons.csvFile("csv", NAME));
      gateway.start();
      Random random = new Random(7);
      int kills = 0;
      while (gateway.pushed() < size.records() * 2 / 5) {
        DaemonProcess d = daemons.start(NAME);
        stdout.watch(d.stdoutFile());
        long millis = (long) (size.killEvery().toMillis() * (0.3 + 1.4 * random.nextDouble()));
        LockSupport.parkNanos(millis * 1_000_000L); // the chaos schedule, not synchronization
        d.kill9();
        d.awaitExit(Duration.ofSeconds(10));
        kills++;
      }

      // property 6: SIGTERM while records flow and the csv sink is down
      DaemonProcess d = daemons.start(NAME);
      stdout.watch(d.stdoutFile());
      daemons.csvDown("csv", NAME, true);
      await().atMost(Duration.ofSeconds(60)).until(() -> daemons.get(d, "/ready")
          .contains("pump csv: cannot deliver"));
      assertThat(gateway.done()).as("still pushing at the SIGTERM").isFalse();
      long sigterm = System.nanoTime();
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(25))).isZero();
      Duration stopTook = Duration.ofNanos(System.nanoTime() - sigterm);
      assertThat(stopTook).isLessThan(Duration.ofSeconds(15));
      assertThat(d.logs()).anyMatch(l -> l.contains("Shutdown complete"));

      daemons.csvDown("csv", NAME, false);
      DaemonProcess last = daemons.start(NAME);
      stdout.watch(last.stdoutFile());
      Delivered.await(gateway, size.pushTime().plus(Duration.ofMinutes(3)), stdout, csv);
      last.sigterm();
      assertThat(last.awaitExit(Duration.ofSeconds(25))).isZero();

      String test = "kill -9 x" + kills + " + SIGTERM with csv down (" + stopTook.toMillis()
          + " ms to exit 0)";
      for (SinkLedger s : List.of(stdout, csv)) {
        ChaosReport.sink(test, size, s, size.records(), null);
        assertThat(s.missing(size.records()).cardinality()).as(s.name() + " lost").isZero();
        // what a daemon held when killed: at most max_in_flight_bytes (1 MiB, ~1100 records)
        // plus the entries of one read, per sink and kill
        assertThat(s.duplicates()).as(s.name() + " duplicated").isLessThanOrEqualTo(2000L * (kills + 1));
      }
    }
  }
}
