package io.pumpd.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.sinks.dogstatsd.testing.StrictDogStatsdListener;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer;
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
 * 0 within the shutdown deadline. The sinks: stdout, csv, the real Elasticsearch node (with
 * {@code generate_id}: no duplicate documents), the strict InfluxDB 2 and DogStatsD (unix datagram)
 * receivers.
 */
@DisplayName("chaos: kill -9 repeatedly, then SIGTERM with a sink down")
class KillNineChaosIT {
  private static final String NAME = "chaos-1";
  @TempDir Path work;

  @Test
  void killNineAtAnyMomentLosesNothingAndSigtermWithASinkDownExitsZero() throws Exception {
    ChaosSize size = ChaosSize.current();
    EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
    String index = EmbeddedElasticsearch.uniqueIndex("chaos");
    try (RedisServerProcess redis = RedisServerProcess.start();
        RecordingInfluxServer influxServer = ChaosSinks.influxServer();
        // a unix datagram socket: unlike UDP it does not drop datagrams when the test JVM falls
        // behind reading, so a missing sample is the daemon's fault, not the transport's
        StrictDogStatsdListener statsd = StrictDogStatsdListener.unixDatagram(work.resolve("statsd.sock"));
        ChaosDaemons daemons = new ChaosDaemons("KillNine", redis.port(), work).stdoutPump("stdout")
            .csvPump("csv").esPump("es", es.url(), index)
            .influxPump("influx2", influxServer.url(), ChaosSinks.INFLUX_TOKEN,
                ChaosSinks.INFLUX_ORG, ChaosSinks.INFLUX_BUCKET)
            .dogstatsdPump("dogstatsd", statsd.address());
        // Tyk's 60 s TTL: the lists are exposed to it while NO daemon runs (between a kill
        // and the restart), exactly as with Tyk Pump; SinkOutageChaosIT shortens it
        Gateway gateway = new Gateway(redis.port(), size.records(), size.ratePerSecond(),
            Duration.ofSeconds(60))) {
      // what a pump rejects for good is dead-lettered with the reason: accounted for, not lost
      SinkLedger stdout = SinkLedger.stdout("stdout")
          .deadLetters(() -> DeadLetterFiles.keys(work, "stdout"));
      SinkLedger csv = SinkLedger.csv("csv").watch(daemons.csvFile("csv", NAME))
          .deadLetters(() -> DeadLetterFiles.keys(work, "csv"));
      SinkLedger elastic = ChaosSinks.elasticsearch("elasticsearch", es, index)
          .deadLetters(() -> DeadLetterFiles.keys(work, "es"));
      SinkLedger influx = ChaosSinks.influx("influx2", influxServer)
          .deadLetters(() -> DeadLetterFiles.keys(work, "influx2"));
      SinkLedger dogstatsd = ChaosSinks.dogstatsd("dogstatsd", statsd)
          .deadLetters(() -> DeadLetterFiles.keys(work, "dogstatsd"));
      gateway.holdAt(size.records() * 7 / 10); // until the SIGTERM below: records still to come
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
      long sigterm = System.nanoTime();
      d.sigterm();
      gateway.release();
      assertThat(d.awaitExit(Duration.ofSeconds(25))).isZero();
      Duration stopTook = Duration.ofNanos(System.nanoTime() - sigterm);
      assertThat(stopTook).isLessThan(Duration.ofSeconds(15));
      assertThat(d.logs()).anyMatch(l -> l.contains("Shutdown complete"));

      daemons.csvDown("csv", NAME, false);
      DaemonProcess last = daemons.start(NAME);
      stdout.watch(last.stdoutFile());
      Delivered.await(gateway, size.pushTime().multipliedBy(3).plus(Duration.ofMinutes(3)), stdout,
          csv, elastic, influx, dogstatsd);
      last.sigterm();
      assertThat(last.awaitExit(Duration.ofSeconds(25))).isZero();

      String test = "kill -9 x" + kills + " + SIGTERM with csv down (" + stopTook.toMillis()
          + " ms to exit 0)";
      long esIndexed = es.indexedTotal(index);
      for (SinkLedger s : List.of(stdout, csv, elastic, influx, dogstatsd)) {
        ChaosReport.sink(test, size, s, size.records(), s == elastic
            ? "documents " + es.count(index) + " (generate_id), index operations " + esIndexed
            : null);
        assertThat(s.missing(size.records()).cardinality()).as(s.name() + " lost").isZero();
        // every pushed record is valid for every sink: a dead letter here would be an outage or a
        // busy receiver (say EAGAIN on the DogStatsD socket) mistaken for a bad record
        assertThat(s.deadLettered()).as(s.name() + " dead-lettered").isZero();
        // what a daemon held when killed: at most max_in_flight_bytes (3 MiB decoded, ~1100 records)
        // plus the entries of one read, per sink and kill
        assertThat(s.duplicates()).as(s.name() + " duplicated").isLessThanOrEqualTo(2000L * (kills + 1));
      }
      // deterministic ids: replays overwrote, no duplicate documents
      assertThat(es.count(index)).isEqualTo(size.records() - elastic.deadLettered());
      assertThat(influxServer.violations()).isEmpty();
      statsd.assertNothingMalformed();
    }
  }
}
