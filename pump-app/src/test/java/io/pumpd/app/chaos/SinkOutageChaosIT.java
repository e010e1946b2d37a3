package io.pumpd.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.testing.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties 2 and 3 (the bound) of issue #5: two csv sinks are down for longer than the gateway's
 * TTL while a gateway keeps pushing. The stdout sink keeps receiving with its normal latency; the
 * gateway's lists never build up (the pump moved the records out of the TTL's reach); the sink
 * with the default (large) bound receives everything after it recovers; the sink with a small
 * {@code max_backlog_records} loses only its oldest records, every one of them counted.
 */
@DisplayName("chaos: sinks down longer than the gateway TTL, one with a small backlog bound")
class SinkOutageChaosIT {
  private static final String NAME = "solo";
  @TempDir Path work;

  @Test
  void aSinkDownForMinutesHoldsBackNobodyAndGetsEverythingUnderItsBound() throws Exception {
    ChaosSize size = ChaosSize.current();
    int bound = 5000;
    try (RedisServerProcess redis = RedisServerProcess.start();
        ChaosDaemons daemons = new ChaosDaemons("SinkOutage", redis.port(), work).stdoutPump("stdout")
            .csvPump("csvall").csvPump("csvbound")
            .set("TYK_PMP_PUMPS_CSVBOUND_MAXBACKLOGRECORDS", String.valueOf(bound));
        Gateway gateway = new Gateway(redis.port(),
            (int) (size.ratePerSecond() * (size.outage().toSeconds() + 10)),
            size.ratePerSecond(), size.gatewayTtl())) {
      int n = gateway.total();
      SinkLedger stdout = SinkLedger.stdout("stdout");
      SinkLedger all = SinkLedger.csv("csvall").watch(daemons.csvFile("csvall", NAME));
      SinkLedger bounded = SinkLedger.csv("csvbound").watch(daemons.csvFile("csvbound", NAME));
      DaemonProcess d = daemons.start(NAME);
      stdout.watch(d.stdoutFile());
      gateway.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> stdout.refresh().distinct(n) >= 5000);
      long baselineLag = sampleLag(gateway, stdout, Duration.ofSeconds(3))[0];

      daemons.csvDown("csvall", NAME, true);
      daemons.csvDown("csvbound", NAME, true);
      long[] during = sampleLag(gateway, stdout, size.outage());
      String ready = daemons.get(d, "/ready");
      assertThat(ready).contains("pump csvall: cannot deliver");
      daemons.csvDown("csvall", NAME, false);
      daemons.csvDown("csvbound", NAME, false);

      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
          .until(() -> gateway.done() && stdout.refresh().distinct(n) == n
              && all.refresh().distinct(n) == n);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
          .until(() -> !bounded.refresh().missing(n).get(n - 1) && bounded.distinct(n)
              + daemons.metric(d, "pump_records_dropped_total", "pump=\"csvbound\"") >= n);
      double dropped = daemons.metric(d, "pump_records_dropped_total", "pump=\"csvbound\"");
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(25))).isZero();

      String test = "csv sinks down " + size.outage().toSeconds() + " s (gateway TTL "
          + size.gatewayTtl().toSeconds() + " s)";
      ChaosReport.sink(test, size, stdout, n, "max lag before " + baselineLag
          + " records, during the outage " + during[0] + " records (rate "
          + size.ratePerSecond() + "/s), max gateway list backlog " + during[1]);
      ChaosReport.sink(test, size, all, n, null);
      ChaosReport.sink(test, size, bounded, n, "max_backlog_records " + bound + ", dropped "
          + (long) dropped + " (counted)");

      assertThat(stdout.missing(n).cardinality()).as("stdout lost").isZero();
      assertThat(all.missing(n).cardinality()).as("csvall lost").isZero();
      // the healthy sink's latency did not change: it stays within ~2 s of the gateway
      assertThat(during[0]).isLessThanOrEqualTo(Math.max(2L * baselineLag, 2L * size.ratePerSecond()));
      // the gateway's lists never held more than a few seconds of records: out of the TTL's reach
      assertThat(during[1]).isLessThan(size.gatewayTtl().toSeconds() * size.ratePerSecond() / 2);
      // the bounded sink lost its oldest records only, each of them counted as dropped
      assertThat(dropped).isGreaterThan(0);
      assertThat((double) bounded.missing(n).cardinality()).isLessThanOrEqualTo(dropped);
      assertThat(d.logs()).anyMatch(l -> l.contains("Pump csvbound fell behind by more than its "
          + "backlog bound"));
      assertThat(d.logs()).anyMatch(l -> l.contains("is holding things back"));
    }
  }

  /**
   * Samples for {@code d}: the most records pushed but not yet on stdout, and the longest the
   * gateway lists were.
   */
  private static long[] sampleLag(Gateway gateway, SinkLedger stdout, Duration d) {
    long end = System.nanoTime() + d.toNanos();
    long maxLag = 0;
    long maxList = 0;
    while (System.nanoTime() < end) {
      int pushed = gateway.pushed();
      LockSupport.parkNanos(500_000_000L); // a sampling period, not synchronization
      // records pushed half a second ago must be on stdout by now, within the allowed lag
      maxLag = Math.max(maxLag, pushed - stdout.refresh().distinct(pushed));
      maxList = Math.max(maxList, gateway.listBacklog());
    }
    return new long[] {maxLag, maxList};
  }
}
