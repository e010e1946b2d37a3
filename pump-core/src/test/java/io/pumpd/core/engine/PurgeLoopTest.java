package io.pumpd.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.codec.RecordDecodeException;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.InMemoryRecordSource;
import io.pumpd.core.testing.RecordingDeadLetters;
import io.pumpd.core.testing.RecordingPump;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PurgeLoopTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
  private final InMemoryRecordSource source = new InMemoryRecordSource();

  private PumpRunner runner(String name, RecordingPump pump) throws Exception {
    PumpEntry entry = new ObjectMapper().readValue("{}", PumpEntry.class);
    return new PumpRunner(name, "test", pump, new RecordPreparer(entry, 0, false),
        Duration.ofSeconds(5), Duration.ZERO, deadLetters, meters);
  }

  private static BatchDecoder.Decoded<AnalyticsRecord> decode(String key, List<byte[]> elements) {
    MsgpackRecordDecoder d = new MsgpackRecordDecoder();
    List<AnalyticsRecord> out = new ArrayList<>();
    for (byte[] e : elements) {
      try {
        out.add(d.decodeRecord(e));
      } catch (RecordDecodeException ex) {
        // counted by the loop as undecodable
      }
    }
    return new BatchDecoder.Decoded<>(out, 0, elements.size() - out.size(), elements.size(),
        List.of(), null);
  }

  private static BatchDecoder.Decoded<UptimeRecord> decodeUptime(String key, List<byte[]> elements) {
    return new BatchDecoder.Decoded<>(List.of(), 0, 0, elements.size(), List.of(), null);
  }

  private PurgeLoop loop(Dispatcher d, int chunk, int budget, Duration delay) {
    return new PurgeLoop(source, PurgeLoopTest::decode, PurgeLoopTest::decodeUptime, d,
        new PurgeLoop.Settings(delay, chunk, budget, false), meters);
  }

  @Test
  void aCycleDrainsEveryKeyInChunksAndFansOutToEveryPump() throws Exception {
    List<byte[]> raw = Fixtures.raw(Fixtures.MODERN);
    source.push("analytics-tyk-system-analytics", raw.subList(0, 600));
    source.push("analytics-tyk-system-analytics_3", raw.subList(600, 1000));
    RecordingPump a = new RecordingPump();
    RecordingPump b = new RecordingPump();
    PurgeLoop loop = loop(new Dispatcher(List.of(runner("a", a), runner("b", b))), 100, 1_000_000,
        Duration.ofSeconds(10));
    PurgeLoop.CycleReport report = loop.runCycle();
    assertThat(report.records()).isEqualTo(1000);
    assertThat(report.rounds()).isEqualTo(6);
    assertThat(a.received()).hasSize(1000);
    assertThat(b.received()).hasSize(1000);
    assertThat(source.remaining()).isZero();
    assertThat(source.acked()).isEqualTo(10); // 6 + 4 batches
    assertThat(report.logLine()).startsWith("Purged 1000 records in 6 rounds").contains("a=1000", "b=1000");
  }

  @Test
  void undecodableElementsAreCountedAndTheRestDelivered() throws Exception {
    List<byte[]> raw = new ArrayList<>(Fixtures.raw(Fixtures.MODERN).subList(0, 20));
    raw.add(5, new byte[] {1, 2, 3});
    raw.add(10, new byte[0]);
    source.push("k", raw);
    RecordingPump a = new RecordingPump();
    PurgeLoop.CycleReport report =
        loop(new Dispatcher(List.of(runner("a", a))), 50, 1000, Duration.ofSeconds(10)).runCycle();
    assertThat(report.records()).isEqualTo(20);
    assertThat(report.undecodable()).isEqualTo(2);
    assertThat(a.received()).hasSize(20).doesNotContainNull();
  }

  @Test
  void theCycleBudgetLeavesTheRestForTheNextCycle() throws Exception {
    source.push("k", Fixtures.raw(Fixtures.MODERN));
    RecordingPump a = new RecordingPump();
    PurgeLoop loop = loop(new Dispatcher(List.of(runner("a", a))), 100, 250, Duration.ofSeconds(10));
    PurgeLoop.CycleReport first = loop.runCycle();
    assertThat(first.records()).isEqualTo(300);
    assertThat(first.budgetHit()).isTrue();
    assertThat(source.remaining()).isEqualTo(700);
  }

  @Test
  void whenScheduledABacklogIsDrainedWithoutWaitingForThePurgeDelay() throws Exception {
    source.push("k", Fixtures.raw(Fixtures.MODERN));
    RecordingPump a = new RecordingPump();
    PurgeLoop loop = loop(new Dispatcher(List.of(runner("a", a))), 100, 200, Duration.ofHours(1));
    loop.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.received().size() == 1000);
    loop.stop(Deadline.after(Duration.ofSeconds(5)));
  }

  @Test
  void aFailingCycleDoesNotEndTheLoop() throws Exception {
    AtomicBoolean failOnce = new AtomicBoolean(true);
    RecordingPump a = new RecordingPump();
    PurgeLoop loop = new PurgeLoop(source, (key, elements) -> {
      if (failOnce.getAndSet(false)) {
        throw new IllegalStateException("boom");
      }
      return decode(key, elements);
    }, PurgeLoopTest::decodeUptime, new Dispatcher(List.of(runner("a", a))),
        new PurgeLoop.Settings(Duration.ofMillis(50), 100, 1000, false), meters);
    source.push("k", Fixtures.raw(Fixtures.MODERN).subList(0, 10));
    loop.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> !failOnce.get());
    source.push("k", Fixtures.raw(Fixtures.MODERN).subList(10, 20));
    await().atMost(Duration.ofSeconds(10)).until(() -> a.received().size() == 10);
    loop.stop(Deadline.after(Duration.ofSeconds(5)));
  }

  @Test
  void stopWaitsForTheCycleInProgressAndStartsNoOther() throws Exception {
    CountDownLatch inWrite = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingPump a = new RecordingPump().then(rs -> {
      inWrite.countDown();
      release.await();
      return java.util.concurrent.CompletableFuture.completedFuture(
          io.pumpd.core.pump.WriteResult.delivered(rs.size()));
    });
    source.push("k", Fixtures.raw(Fixtures.MODERN).subList(0, 100));
    PurgeLoop loop = loop(new Dispatcher(List.of(runner("a", a))), 50, 1000, Duration.ofMillis(20));
    loop.start();
    assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue();
    loop.requestStop();
    release.countDown();
    assertThat(loop.awaitStopped(Deadline.after(Duration.ofSeconds(10)))).isTrue();
    // the round in progress was delivered; the next chunk stayed in the source
    assertThat(a.received()).hasSize(50);
    assertThat(source.remaining()).isEqualTo(50);
    int polls = source.polls();
    assertThat(loop.runCycle().records()).isZero();
    assertThat(source.polls()).isEqualTo(polls);
  }

  @Test
  void anUnavailableSourceEndsTheCycleQuietly() throws Exception {
    source.setAvailable(false);
    RecordingPump a = new RecordingPump();
    PurgeLoop.CycleReport r =
        loop(new Dispatcher(List.of(runner("a", a))), 50, 1000, Duration.ofSeconds(1)).runCycle();
    assertThat(r.records()).isZero();
    assertThat(a.writes()).isZero();
  }
}
