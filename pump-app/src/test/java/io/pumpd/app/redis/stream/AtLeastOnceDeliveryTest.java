package io.pumpd.app.redis.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.core.delivery.DeliveryEngine;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RecordingPump;
import io.pumpd.core.testing.RedisServerProcess;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The at_least_once engine against a real redis-server, in process. */
class AtLeastOnceDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static RedisServerProcess redis;
  private GatewayRedis gateway;
  private TestEngines engines;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.stop();
  }

  @BeforeEach
  void connect() {
    gateway = GatewayRedis.standalone(redis.port());
    gateway.sync().flushall();
    engines = TestEngines.standalone(redis.port());
  }

  @AfterEach
  void close() {
    engines.closeAll();
    gateway.close();
  }

  @Test
  void everyPumpReceivesEveryRecordAndTheStreamsAreTrimmedOnceAllAcknowledged() throws Exception {
    RecordingPump a = new RecordingPump();
    RecordingPump b = new RecordingPump();
    StreamEngine engine = engines.engine("c1").pump("a", a).pump("b", b).start();
    Set<String> pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("base", 0, 5000)));
    pushed.addAll(gateway.push(TestEngines.KEYS.analytics().get(4), GatewayRedis.keys("s4", 0, 3000)));

    await().atMost(WAIT).until(() -> TestPumps.keys(a).size() == 8000 && TestPumps.keys(b).size() == 8000);
    assertThat(TestPumps.keys(a)).isEqualTo(pushed);
    assertThat(TestPumps.keys(b)).isEqualTo(pushed);
    assertThat(TestPumps.duplicates(a)).isZero();
    assertThat(gateway.llen(TestEngines.BASE)).isZero();
    String stream = StreamKeys.of(TestEngines.BASE, ":pumpd", false).stream();
    await().atMost(WAIT).untilAsserted(() -> {
      engine.maintainNow();
      assertThat(gateway.xlen(stream)).isZero();
      assertThat(engine.backlogs().get("a").records()).isZero();
      assertThat(gateway.sync().keys(stream + ":b:*")).isEmpty(); // the batch lists are deleted
    });
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void entriesTakenByADaemonThatDiesAreDeliveredByItsSuccessorUnderTheSameName() throws Exception {
    TestPumps.NeverConfirms stuck = new TestPumps.NeverConfirms();
    StreamEngine dying = engines.engine("pod-1").pump("es", stuck).start();
    Set<String> pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 3000)));
    await().atMost(WAIT).until(() -> stuck.received().size() >= 1000); // taken, never confirmed
    dying.close(); // like kill -9: nothing acknowledged, no goodbye

    RecordingPump successor = new RecordingPump();
    StreamEngine next = engines.engine("pod-1").pump("es", successor)
        .lease(Duration.ofSeconds(60)).start(); // a long lease: only the own-pending replay can explain it
    await().atMost(WAIT).until(() -> TestPumps.keys(successor).size() == 3000);
    assertThat(TestPumps.keys(successor)).isEqualTo(pushed);
    next.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void entriesOfADeadReplicaAreTakenOverByAnotherAfterTheLease() throws Exception {
    TestPumps.NeverConfirms stuck = new TestPumps.NeverConfirms();
    StreamEngine dying = engines.engine("pod-1").pump("es", stuck).start();
    Set<String> pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 3000)));
    await().atMost(WAIT).until(() -> stuck.received().size() >= 1000);
    dying.close();

    RecordingPump other = new RecordingPump();
    StreamEngine survivor = engines.engine("pod-2").pump("es", other)
        .lease(Duration.ofSeconds(3)).start();
    await().atMost(WAIT).until(() -> TestPumps.keys(other).size() == 3000);
    assertThat(TestPumps.keys(other)).isEqualTo(pushed);
    survivor.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void aSinkThatIsDownHoldsBackOnlyItselfAndGetsEverythingWhenItRecovers() throws Exception {
    TestPumps.Switchable down = new TestPumps.Switchable().down(true);
    RecordingPump healthy = new RecordingPump();
    StreamEngine engine = engines.engine("c1").pump("down", down).pump("ok", healthy).start();
    Set<String> pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 4000)));

    await().atMost(WAIT).until(() -> TestPumps.keys(healthy).size() == 4000);
    assertThat(gateway.llen(TestEngines.BASE)).isZero(); // taken from the gateway's TTL regardless
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(engine.notReadyReasons()).anyMatch(r -> r.contains("pump down: cannot deliver"));
      assertThat(engine.backlogs().get("down").records()).isGreaterThanOrEqualTo(3000);
      assertThat(engine.backlogs().get("ok").records()).isZero();
    });
    pushed.addAll(gateway.push(TestEngines.BASE, GatewayRedis.keys("later", 0, 1000)));
    await().atMost(WAIT).until(() -> TestPumps.keys(healthy).size() == 5000);

    down.down(false);
    await().atMost(WAIT).until(() -> TestPumps.keys(down).size() == 5000);
    assertThat(TestPumps.keys(down)).isEqualTo(pushed);
    await().atMost(WAIT).until(() -> engine.notReadyReasons().isEmpty());
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void pastItsBacklogBoundASinkLosesItsOldestRecordsCountedAndNobodyElseSuffers() throws Exception {
    TestPumps.Switchable down = new TestPumps.Switchable().down(true);
    RecordingPump healthy = new RecordingPump();
    TestEngines.Builder b = engines.engine("c1")
        .pump("down", down, "{\"max_backlog_records\": 1000}").pump("ok", healthy)
        .maxInFlightBytes(1); // holds one read (up to 2 entries of 500) at a time
    StreamEngine engine = b.start();
    List<String> keys = gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 5000));
    await().atMost(WAIT).until(() -> TestPumps.keys(healthy).size() == 5000);
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        b.meters().counter("pump.records.dropped", "pump", "down", "reason", "backlog_bound").count())
        .isGreaterThanOrEqualTo(3500));

    down.down(false);
    double dropped =
        b.meters().counter("pump.records.dropped", "pump", "down", "reason", "backlog_bound").count();
    await().atMost(WAIT).until(() -> TestPumps.keys(down).contains(keys.get(4999))
        && TestPumps.keys(down).size() + dropped >= 5000);
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
    Set<String> got = TestPumps.keys(down);
    // each record delivered or counted as dropped; the entries the consumer held in memory when
    // they were dropped (at most 2 x 500) may be both
    assertThat(got.size() + (long) dropped).isBetween(5000L, 6000L);
    // the bound, plus the entry straddling it, plus the entries held when they were dropped
    assertThat(got.size()).isLessThanOrEqualTo(1000 + 500 + 2 * 500);
    assertThat(TestPumps.keys(healthy)).containsAll(keys);
  }

  @Test
  void aPumpThatMakesProgressIsNeverDroppedPastItsBound() throws Exception {
    // a catch-up: the backlog is twenty times the bound, the sink slow but delivering
    RecordingPump slow = new RecordingPump() {
      @Override
      public java.util.concurrent.CompletionStage<io.pumpd.core.pump.WriteResult> write(
          List<io.pumpd.core.record.AnalyticsRecord> records, io.pumpd.core.pump.Deadline d)
          throws io.pumpd.core.pump.PumpException {
        try {
          new java.util.concurrent.CountDownLatch(1).await(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.write(records, d);
      }
    };
    TestEngines.Builder b = engines.engine("c1").pump("slow", slow, "{\"max_backlog_records\": 500}")
        .maxInFlightBytes(1);
    StreamEngine engine = b.start();
    List<String> keys = gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 10_000));
    await().atMost(WAIT).until(() -> TestPumps.keys(slow).size() == 10_000);
    assertThat(TestPumps.keys(slow)).containsAll(keys);
    assertThat(b.meters().counter("pump.records.dropped", "pump", "slow", "reason", "backlog_bound")
        .count()).isZero();
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void replicasShareTheWorkAndTogetherDeliverEveryRecord() throws Exception {
    RecordingPump onA = new RecordingPump();
    RecordingPump onB = new RecordingPump();
    StreamEngine a = engines.engine("pod-a").pump("es", onA).entryRecords(100).start();
    StreamEngine b = engines.engine("pod-b").pump("es", onB).entryRecords(100).start();
    Set<String> pushed = new HashSet<>();
    for (int shard = 0; shard < 10; shard++) {
      pushed.addAll(gateway.push(TestEngines.KEYS.analytics().get(shard + 1),
          GatewayRedis.keys("s" + shard, 0, 2000)));
    }
    await().atMost(WAIT).until(() -> {
      Set<String> union = new HashSet<>(TestPumps.keys(onA));
      union.addAll(TestPumps.keys(onB));
      return union.size() == pushed.size();
    });
    assertThat(onA.received().size()).isGreaterThan(2000);
    assertThat(onB.received().size()).isGreaterThan(2000);
    assertThat(onA.received().size() + onB.received().size()).isEqualTo(pushed.size());
    a.stop(Deadline.after(Duration.ofSeconds(10)));
    b.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void aRecordTheSinkRejectsForGoodIsDeadLetteredAndAcknowledged() throws Exception {
    RecordingPump rejecting = new RecordingPump();
    rejecting.then(rs -> { throw new io.pumpd.core.pump.PumpException("400 mapper_parsing_exception"); });
    TestEngines.Builder b = engines.engine("c1").pump("es", rejecting).entryRecords(100);
    StreamEngine engine = b.start();
    gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 100));
    await().atMost(WAIT).until(() -> b.deadLetters().entries().size() == 100);
    assertThat(b.deadLetters().entries())
        .allSatisfy(e -> assertThat(e.reason()).contains("mapper_parsing_exception"));
    gateway.push(TestEngines.BASE, GatewayRedis.keys("after", 0, 100));
    await().atMost(WAIT).until(() -> TestPumps.keys(rejecting).size() == 100);
    await().atMost(WAIT).untilAsserted(() -> {
      engine.maintainNow();
      assertThat(engine.backlogs().get("es").records()).isZero(); // the rejected entry was acked
    });
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void stopAcknowledgesWhatWasDeliveredSoASuccessorDeliversOnlyTheRest() throws Exception {
    RecordingPump first = new RecordingPump();
    StreamEngine engine = engines.engine("pod-1").pump("es", first).start();
    gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 2000));
    await().atMost(WAIT).until(() -> TestPumps.keys(first).size() == 2000);
    DeliveryEngine.StopReport report = engine.stop(Deadline.after(Duration.ofSeconds(10)));
    assertThat(report.complete()).isTrue();
    assertThat(report.unacknowledged()).isEmpty();
    engine.close();

    RecordingPump second = new RecordingPump();
    StreamEngine next = engines.engine("pod-1").pump("es", second).start();
    Set<String> later = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("later", 0, 10)));
    await().atMost(WAIT).until(() -> TestPumps.keys(second).size() == 10);
    assertThat(TestPumps.keys(second)).isEqualTo(later);
    next.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void aStopWhileAConsumerIsBetweenReadingAndHandingOverFlushesWhatItHandsOver() throws Exception {
    TestPumps.ConfirmsOnFlush buffered = new TestPumps.ConfirmsOnFlush();
    CountDownLatch decoding = new CountDownLatch(1);
    StreamEngine engine = engines.engine("c1").pump("es", buffered)
        .decoding(d -> (batch, raw, maxHeapBytes) -> {
          decoding.countDown();
          // held here, between reading and the hand-over, until the pump is flushed (what a stop
          // that flushes too early does) or for 2 s (a stop that waits for the hand-over)
          try {
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
                .until(() -> buffered.flushes() > 0);
          } catch (ConditionTimeoutException e) {
            // not flushed meanwhile: hand over now
          }
          return d.decode(batch, raw, maxHeapBytes);
        }).start();
    Set<String> pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 300)));
    assertThat(decoding.await(30, TimeUnit.SECONDS)).isTrue();

    DeliveryEngine.StopReport report = engine.stop(Deadline.after(Duration.ofSeconds(20)));

    assertThat(report.unacknowledged()).as("left unconfirmed in Redis").isEmpty();
    assertThat(report.complete()).isTrue();
    assertThat(TestPumps.keys(buffered)).isEqualTo(pushed);
    assertThat(gateway.sync().xpending(StreamKeys.of(TestEngines.BASE, ":pumpd", false).stream(), "es")
        .getCount()).isZero();
  }

  @Test
  void undecodableElementsAreDeadLetteredOnceNotOncePerPump() throws Exception {
    RecordingPump a = new RecordingPump();
    RecordingPump b = new RecordingPump();
    TestEngines.Builder builder = engines.engine("c1").pump("a", a).pump("b", b);
    StreamEngine engine = builder.start();
    gateway.sync().rpush(TestEngines.BASE, GatewayRedis.record("good-1"), new byte[] {(byte) 0xc1},
        GatewayRedis.record("good-2"));
    await().atMost(WAIT).until(() -> TestPumps.keys(a).size() == 2 && TestPumps.keys(b).size() == 2);
    assertThat(builder.deadLetters().entries()).singleElement()
        .satisfies(e -> assertThat(e.kind()).isEqualTo("undecodable"));
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void theBoundHoldsForThePumpAsAWholeAndDropsItsOldestRecordsWhateverTheirList() throws Exception {
    TestPumps.Switchable down = new TestPumps.Switchable().down(true);
    TestEngines.Builder b = engines.engine("c1")
        .pump("down", down, "{\"max_backlog_records\": 4000}").maxInFlightBytes(1)
        // short attempts: the held entries wait in the retry queue when they are dropped, and
        // the consumer must then probe the sink with a new entry
        .pumpTimeout(Duration.ofMillis(300));
    StreamEngine engine = b.start();
    List<String> older = gateway.push(TestEngines.KEYS.analytics().get(2), GatewayRedis.keys("old", 0, 4000));
    await().atMost(WAIT).until(() -> engine.backlogs().containsKey("down")
        && engine.backlogs().get("down").records() >= 3000);
    await().atMost(WAIT).until(() -> engine.backlogs().get("down").lagMillis() >= 1500);
    List<String> newer = gateway.push(TestEngines.KEYS.analytics().get(7), GatewayRedis.keys("new", 0, 4000));
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        b.meters().counter("pump.records.dropped", "pump", "down", "reason", "backlog_bound").count())
        .isGreaterThanOrEqualTo(3000));
    await().atMost(WAIT).untilAsserted(
        () -> assertThat(engine.backlogs().get("down").records()).isLessThanOrEqualTo(4000 + 400));

    down.down(false);
    await().atMost(WAIT).until(() -> TestPumps.keys(down).containsAll(newer));
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
    long olderKept = older.stream().filter(TestPumps.keys(down)::contains).count();
    assertThat(olderKept).isLessThan(1500); // the older list paid for the bound, not the newer one
  }

  @Test
  void recordsThePumpTookAreNoLongerUnderTheGatewaysTtl() throws Exception {
    TestPumps.Switchable down = new TestPumps.Switchable().down(true);
    StreamEngine engine = engines.engine("c1").pump("es", down).start();
    Set<String> pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 2000)));
    gateway.sync().expire(TestEngines.BASE, 2); // what the gateway's purger does
    String stream = StreamKeys.of(TestEngines.BASE, ":pumpd", false).stream();
    await().atMost(WAIT).until(() -> gateway.sync().keys(stream + ":b:*").size() == 1);
    String batch = gateway.sync().keys(stream + ":b:*").get(0);
    assertThat(gateway.sync().ttl(batch)).isEqualTo(-1L); // persisted: no TTL
    await().atMost(WAIT).until(() -> engine.notReadyReasons().stream()
        .anyMatch(r -> r.contains("cannot deliver")));
    await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true); // past the 2 s TTL
    down.down(false);
    await().atMost(WAIT).until(() -> TestPumps.keys(down).equals(pushed));
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void uptimeRecordsGoOnlyToThePumpsThatTakeThem() throws Exception {
    TestPumps.WithUptime withUptime = new TestPumps.WithUptime();
    RecordingPump analyticsOnly = new RecordingPump();
    StreamEngine engine =
        engines.engine("c1").pump("stdout", withUptime).pump("es", analyticsOnly).start();
    List<byte[]> uptime = io.pumpd.core.testing.Fixtures.raw(io.pumpd.core.testing.Fixtures.UPTIME);
    gateway.sync().rpush(TestEngines.KEYS.uptime(), uptime.toArray(new byte[0][]));
    gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 10));
    await().atMost(WAIT).until(() -> withUptime.uptime.size() == uptime.size()
        && TestPumps.keys(analyticsOnly).size() == 10 && TestPumps.keys(withUptime).size() == 10);
    assertThat(gateway.llen(TestEngines.KEYS.uptime())).isZero();
    await().atMost(WAIT).untilAsserted(() -> {
      engine.maintainNow();
      assertThat(gateway.xlen(StreamKeys.of(TestEngines.KEYS.uptime(), ":pumpd", true).stream()))
          .isZero(); // acknowledged by the only group that reads it
    });
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }

  @Test
  void protobufListsAreDrainedAndEachRecordDecodesAsTykPumpDecodesIt() throws Exception {
    RecordingPump a = new RecordingPump();
    RecordingPump b = new RecordingPump();
    TestEngines.Builder builder = engines.engine("c1").pump("a", a).pump("b", b);
    StreamEngine engine = builder.start();
    List<byte[]> messages = Fixtures.raw(Fixtures.PROTOBUF);
    String list = TestEngines.KEYS.protobufAnalytics().get(4);
    gateway.sync().rpush(list, messages.toArray(new byte[0][]));
    gateway.sync().rpush(list, new byte[] {0x0a, (byte) 0xff}); // truncated: undecodable

    await().atMost(WAIT).until(() -> a.received().size() == messages.size()
        && b.received().size() == messages.size());
    List<String> expected = Fixtures.jsonLines(Fixtures.PROTOBUF).stream().sorted().toList();
    assertThat(a.received().stream().map(RecordJson::toJson).sorted().toList())
        .isEqualTo(expected);
    assertThat(b.received().stream().map(RecordJson::toJson).sorted().toList())
        .isEqualTo(expected);
    await().atMost(WAIT).untilAsserted(() -> assertThat(builder.deadLetters().entries())
        .singleElement().satisfies(e -> {
          assertThat(e.kind()).isEqualTo("undecodable");
          assertThat(e.where()).isEqualTo(list);
        }));
    engine.stop(Deadline.after(Duration.ofSeconds(10)));
  }
}
