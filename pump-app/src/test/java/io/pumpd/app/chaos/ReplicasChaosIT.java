package io.pumpd.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.models.stream.PendingMessages;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.testing.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property 4 of issue #5: three daemon replicas on one Redis share the work; one is killed for
 * good; the others take over its unconfirmed entries after the lease; every record reaches every
 * sink.
 */
@DisplayName("chaos: three replicas, one killed for good")
class ReplicasChaosIT {
  private static final List<String> NAMES = List.of("r1", "r2", "r3");
  @TempDir Path work;

  @Test
  void replicasShareTheWorkAndTakeOverTheEntriesOfADeadOne() throws Exception {
    ChaosSize size = ChaosSize.current();
    try (RedisServerProcess redis = RedisServerProcess.start();
        ChaosDaemons daemons = new ChaosDaemons("Replicas", redis.port(), work).stdoutPump("stdout")
            .csvPump("csv");
        // Tyk's 60 s TTL: the lists are exposed to it while NO daemon runs (between a kill
        // and the restart), exactly as with Tyk Pump; SinkOutageChaosIT shortens it
        Gateway gateway = new Gateway(redis.port(), size.records(), size.ratePerSecond(),
            Duration.ofSeconds(60))) {
      int n = size.records();
      SinkLedger stdout = SinkLedger.stdout("stdout");
      SinkLedger csv = SinkLedger.csv("csv");
      List<SinkLedger> perReplica = new ArrayList<>();
      List<DaemonProcess> replicas = new ArrayList<>();
      for (String name : NAMES) {
        DaemonProcess d = daemons.start(name);
        replicas.add(d);
        stdout.watch(d.stdoutFile());
        csv.watch(daemons.csvFile("csv", name));
        perReplica.add(SinkLedger.stdout("stdout@" + name).watch(d.stdoutFile()));
      }
      gateway.start();
      await().atMost(size.pushTime().plus(Duration.ofSeconds(30)))
          .until(() -> gateway.pushed() >= n * 2 / 5);
      // r2's csv sink fails first, so that it holds unconfirmed entries when it dies
      daemons.csvDown("csv", "r2", true);
      await().atMost(Duration.ofSeconds(30)).until(() -> pendingOf("r2", gateway) > 0);
      replicas.get(1).kill9();
      replicas.get(1).awaitExit(Duration.ofSeconds(10));
      long orphaned = pendingOf("r2", gateway);

      await().atMost(size.pushTime().plus(Duration.ofMinutes(3))).pollInterval(Duration.ofMillis(500))
          .until(() -> gateway.done() && stdout.refresh().distinct(n) == n
              && csv.refresh().distinct(n) == n);
      for (int i : new int[] {0, 2}) {
        replicas.get(i).sigterm();
        assertThat(replicas.get(i).awaitExit(Duration.ofSeconds(25))).isZero();
      }

      String test = "3 replicas, r2 killed at 40 % (" + orphaned + " entries pending for it)";
      StringBuilder shares = new StringBuilder();
      for (SinkLedger r : perReplica) {
        r.refresh();
        shares.append(shares.length() == 0 ? "" : ", ").append(r.name()).append('=')
            .append(r.received());
      }
      ChaosReport.sink(test, size, stdout, n, "shares " + shares);
      ChaosReport.sink(test, size, csv, n, null);
      assertThat(stdout.missing(n).cardinality()).as("stdout lost").isZero();
      assertThat(csv.missing(n).cardinality()).as("csv lost").isZero();
      assertThat(perReplica.get(0).received()).isGreaterThan(n / 10);
      assertThat(perReplica.get(2).received()).isGreaterThan(n / 10);
      assertThat(perReplica.get(1).received()).isPositive();
      assertThat(orphaned).isPositive();
      assertThat(replicas.get(0).logs().stream().anyMatch(l -> l.contains("took over"))
          || replicas.get(2).logs().stream().anyMatch(l -> l.contains("took over"))).isTrue();
    }
  }

  /** Entries pending for {@code consumer} over the analytics streams (all groups). */
  private static long pendingOf(String consumer, Gateway gateway) {
    long n = 0;
    for (String list : AnalyticsKeys.withPrefix("analytics-").analytics()) {
      String stream = "{" + list + "}:pumpd";
      if (gateway.redis().exists(stream) == 0) {
        continue;
      }
      for (String group : List.of("stdout", "csv")) {
        PendingMessages p = gateway.redis().xpending(stream, group);
        n += p.getConsumerMessageCount().getOrDefault(consumer, 0L);
      }
    }
    return n;
  }
}
