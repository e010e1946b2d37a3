package io.pumpd.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.config.PumpEntry;
import ch.qos.logback.classic.Level;
import io.pumpd.core.deadletter.CapturedLog;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.engine.RecordPreparer;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.UptimeCapable;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.retry.Backoff;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.InMemoryDeliverySource;
import io.pumpd.core.testing.RecordingDeadLetters;
import io.pumpd.core.testing.RecordingPump;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's state machine against an in-memory source: no Redis. */
class DeliveryEngineTest {
  private static final String KEY = "analytics-tyk-system-analytics";
  private static final List<byte[]> RECORDS = Fixtures.raw(Fixtures.MODERN);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
  private final AtomicInteger decodedElements = new AtomicInteger();
  private final List<DeliveryEngine> engines = new ArrayList<>();

  @AfterEach
  void stopAll() {
    engines.forEach(e -> e.stop(Deadline.after(Duration.ofSeconds(2))));
  }

  /** A pump that refuses writes for now while {@link #down} is set. */
  static class SwitchablePump extends RecordingPump {
    volatile boolean down;

    @Override
    public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
        throws PumpException {
      if (down) {
        throw new RetriablePumpException("backend down", null);
      }
      return super.write(records, deadline);
    }
  }

  /** An uptime-capable recording pump. */
  static final class UptimePump extends RecordingPump implements UptimeCapable {
    final List<UptimeRecord> uptime = new CopyOnWriteArrayList<>();

    @Override
    public void writeUptime(List<UptimeRecord> records, Deadline deadline) {
      uptime.addAll(records);
    }
  }

  private PumpRunner runner(String name, Pump pump, Duration timeout) {
    try {
      PumpEntry entry = new ObjectMapper().readValue("{}", PumpEntry.class);
      return new PumpRunner(name, "test", pump, new RecordPreparer(entry, 0, false), timeout,
          Duration.ZERO, deadLetters, meters);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private BatchDecoding decoding() {
    BatchDecoder decoder = new BatchDecoder(deadLetters, meters);
    return (batch, elements, budget) -> {
      decodedElements.addAndGet(elements.size());
      return batch.kind() == RecordKind.UPTIME
          ? decoder.decodeUptime(batch.key(), elements, budget)
          : decoder.decode(batch.key(), elements, budget);
    };
  }

  private DeliveryEngine engine(DeliverySource source, long budget, PumpRunner... runners) {
    DeliveryEngine e = new DeliveryEngine(source, decoding(), List.of(runners), deadLetters,
        new DeliveryEngine.Settings(budget, Duration.ofSeconds(5),
            new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)), Duration.ofMillis(50),
            Duration.ofSeconds(60)), meters);
    engines.add(e);
    e.start();
    return e;
  }

  @Test
  void everyPumpGetsEveryRecordAndEachElementIsDecodedOnce() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(true, 100);
    RecordingPump a = new RecordingPump();
    RecordingPump b = new RecordingPump();
    engine(source, 64L << 20, runner("a", a, Duration.ofSeconds(5)),
        runner("b", b, Duration.ofSeconds(5)));
    source.push(KEY, RecordKind.ANALYTICS, RECORDS);

    await().untilAsserted(() -> {
      assertThat(source.acked("a")).isEqualTo(RECORDS.size());
      assertThat(source.acked("b")).isEqualTo(RECORDS.size());
    });
    assertThat(a.received()).hasSize(RECORDS.size());
    assertThat(b.received()).hasSize(RECORDS.size());
    assertThat(decodedElements.get()).isEqualTo(RECORDS.size());
  }

  @Test
  void anUndecodableElementIsDeadLetteredOnceWhateverTheNumberOfPumps() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(true, 10);
    RecordingPump a = new RecordingPump();
    RecordingPump b = new RecordingPump();
    engine(source, 64L << 20, runner("a", a, Duration.ofSeconds(5)),
        runner("b", b, Duration.ofSeconds(5)));
    List<byte[]> elements = new ArrayList<>(RECORDS.subList(0, 9));
    elements.add(new byte[] {(byte) 0xc1, 1, 2});
    source.push(KEY, RecordKind.ANALYTICS, elements);

    await().untilAsserted(() -> assertThat(source.acked("b")).isEqualTo(10));
    await().untilAsserted(() -> assertThat(source.acked("a")).isEqualTo(10));
    assertThat(deadLetters.entries()).hasSize(1);
    assertThat(a.received()).hasSize(9);
    assertThat(b.received()).hasSize(9);
  }

  @Test
  void aFailingPumpIsRetriedWithoutHoldingBackTheOthersAndNothingOfItIsAckedMeanwhile() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(true, 50);
    SwitchablePump failing = new SwitchablePump();
    failing.down = true;
    RecordingPump healthy = new RecordingPump();
    engine(source, 64L << 20, runner("failing", failing, Duration.ofMillis(200)),
        runner("healthy", healthy, Duration.ofSeconds(5)));
    source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 500));

    await().untilAsserted(() -> assertThat(source.acked("healthy")).isEqualTo(500));
    assertThat(source.acked("failing")).isZero();
    assertThat(deadLetters.entries()).isEmpty();

    failing.down = false;
    await().untilAsserted(() -> assertThat(source.acked("failing")).isEqualTo(500));
    assertThat(failing.received()).hasSizeGreaterThanOrEqualTo(500);
    assertThat(deadLetters.entries()).isEmpty();
  }

  @Test
  void aNonDurableSourceDeadLettersWhatAPumpCannotTakeWithinItsTimeout() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(false, 50);
    SwitchablePump failing = new SwitchablePump();
    failing.down = true;
    RecordingPump healthy = new RecordingPump();
    engine(source, 64L << 20, runner("failing", failing, Duration.ofMillis(300)),
        runner("healthy", healthy, Duration.ofSeconds(5)));
    source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 100));

    await().untilAsserted(() -> {
      assertThat(healthy.received()).hasSize(100);
      assertThat(deadLetters.entries()).hasSize(100);
    });
    assertThat(deadLetters.entries()).allSatisfy(e -> assertThat(e.reason()).contains("backend down"));
  }

  @Test
  void nothingIsReadForALaneAtItsBudgetUntilItDelivers() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(true, 10);
    SwitchablePump slow = new SwitchablePump();
    slow.down = true;
    engine(source, 1, runner("slow", slow, Duration.ofMillis(100)));
    source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 100));

    await().untilAsserted(() -> assertThat(source.unacknowledged("slow")).isEqualTo(1));
    int reads = source.reads();
    await().during(Duration.ofMillis(300)).untilAsserted(
        () -> assertThat(source.unacknowledged("slow")).isEqualTo(1));
    assertThat(source.reads()).isEqualTo(reads);

    slow.down = false;
    await().untilAsserted(() -> assertThat(source.acked("slow")).isEqualTo(100));
  }

  @Test
  void aBatchTheSourceDropsForAPumpIsNotDeliveredThereNorAcknowledged() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(true, 10);
    SwitchablePump down = new SwitchablePump();
    down.down = true;
    engine(source, 64L << 20, runner("down", down, Duration.ofMillis(100)));
    source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 10));
    await().untilAsserted(() -> assertThat(source.unacknowledged("down")).isEqualTo(1));

    source.dropHeld("down");
    await().untilAsserted(() -> assertThat(source.unacknowledged("down")).isZero());
    down.down = false;
    source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(10, 20));
    await().untilAsserted(() -> assertThat(source.acked("down")).isEqualTo(10));
    assertThat(down.received()).map(AnalyticsRecord::toString)
        .isEqualTo(Fixtures.records(Fixtures.MODERN).subList(10, 20).stream()
            .map(AnalyticsRecord::toString).toList());
  }

  @Test
  void uptimeRecordsReachOnlyThePumpsThatTakeThem() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(true, 50);
    UptimePump uptime = new UptimePump();
    RecordingPump plain = new RecordingPump();
    engine(source, 64L << 20, runner("uptime", uptime, Duration.ofSeconds(5)),
        runner("plain", plain, Duration.ofSeconds(5)));
    List<byte[]> checks = Fixtures.raw(Fixtures.UPTIME);
    source.push("analytics-host-checker:tyk-uptime-analytics", RecordKind.UPTIME, checks);
    source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 10));

    await().untilAsserted(() -> {
      assertThat(source.acked("uptime")).isEqualTo(checks.size() + 10);
      assertThat(source.acked("plain")).isEqualTo(10);
    });
    assertThat(uptime.uptime).hasSize(checks.size());
    assertThat(plain.received()).hasSize(10);
  }

  @Test
  void aDurableStopLeavesWhatIsUnsettledAndFlushesEveryPump() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(true, 10);
    SwitchablePump down = new SwitchablePump();
    down.down = true;
    RecordingPump healthy = new RecordingPump();
    DeliveryEngine e = engine(source, 64L << 20, runner("down", down, Duration.ofMillis(100)),
        runner("healthy", healthy, Duration.ofSeconds(5)));
    source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 10));
    await().untilAsserted(() -> assertThat(source.acked("healthy")).isEqualTo(10));

    DeliveryEngine.StopReport report = e.stop(Deadline.after(Duration.ofSeconds(5)));

    assertThat(report.complete()).isTrue();
    assertThat(report.unacknowledged()).containsOnlyKeys("down");
    assertThat(report.unacknowledged().get("down").records()).isEqualTo(10);
    assertThat(down.flushes()).isEqualTo(1);
    assertThat(healthy.flushes()).isEqualTo(1);
    assertThat(deadLetters.entries()).isEmpty();
  }

  @Test
  void aNonDurableStopHandsOverEverythingRead() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(false, 100);
    RecordingPump pump = new RecordingPump();
    DeliveryEngine e = engine(source, 64L << 20, runner("p", pump, Duration.ofSeconds(5)));
    source.push(KEY, RecordKind.ANALYTICS, RECORDS);
    await().untilAsserted(() -> assertThat(pump.received()).isNotEmpty());

    DeliveryEngine.StopReport report = e.stop(Deadline.after(Duration.ofSeconds(10)));

    assertThat(report.complete()).isTrue();
    long read = (long) meters.counter("pump.records.popped").count();
    assertThat(pump.received()).hasSize((int) read);
    assertThat(source.acked("p")).isEqualTo(read);
  }

  @Test
  void aPumpThatCannotTakeABatchIsRetriedWithinItsTimeoutWithNothingDeadLettered() {
    InMemoryDeliverySource source = new InMemoryDeliverySource(false, 10);
    RecordingPump pump = new RecordingPump()
        .then(rs -> { throw new RetriablePumpException("503 busy"); })
        .then(rs -> { throw new RetriablePumpException("503 busy"); });
    engine(source, 64L << 20, runner("p1", pump, Duration.ofSeconds(10)));
    source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 10));

    await().untilAsserted(() -> assertThat(pump.received()).hasSize(10));
    assertThat(pump.writes()).isEqualTo(3);
    assertThat(deadLetters.entries()).isEmpty();
  }

  @Test
  void aFailingSinkWithoutTimeoutIsVisibleInReadinessLogsAndMetrics() {
    SwitchablePump full = new SwitchablePump() {
      @Override
      public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
          throws PumpException {
        if (down) {
          throw new RetriablePumpException("No space left on device");
        }
        return super.write(records, deadline);
      }
    };
    full.down = true;
    InMemoryDeliverySource source = new InMemoryDeliverySource(true, 10);
    try (CapturedLog log = new CapturedLog("io.pumpd.core.engine.PumpHealth")) {
      PumpRunner r = runner("p1", full, Duration.ZERO); // Tyk's default: no timeout
      DeliveryEngine e = engine(source, 64L << 20, r);
      source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 10));
      await().untilAsserted(() -> {
        assertThat(e.notReadyReasons()).anyMatch(x -> x.startsWith("pump p1: cannot deliver")
            && x.contains("No space left on device"));
        assertThat(r.failing()).hasValueSatisfying(f -> assertThat(f).contains("No space"));
      });
      assertThat(log.messages(Level.WARN)).anyMatch(m -> m.contains("Pump p1 cannot take records")
          && m.contains("No space left on device"));
      assertThat(meters.counter("pump.write.errors", "pump", "p1", "type", "test").count())
          .isGreaterThanOrEqualTo(1);

      full.down = false;
      await().untilAsserted(() -> assertThat(source.acked("p1")).isEqualTo(10));
      await().until(() -> r.failing().isEmpty() && e.notReadyReasons().isEmpty());
      assertThat(log.messages(Level.INFO)).anyMatch(m -> m.contains("takes records again"));
      assertThat(deadLetters.entries()).isEmpty();
    }
  }

  @Test
  void aNonDurableSourceCountsAsLostWhatCannotBeDeadLettered() {
    AnalyticsRecord[] bad = new AnalyticsRecord[1];
    RecordingPump pump = new RecordingPump() {
      @Override
      public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
          throws PumpException {
        if (bad[0] == null) {
          bad[0] = records.get(2);
        }
        if (records.contains(bad[0])) {
          throw new IllegalArgumentException("bad");
        }
        return super.write(records, deadline);
      }
    };
    deadLetters.failWith("Read-only file system");
    InMemoryDeliverySource source = new InMemoryDeliverySource(false, 10);
    try (CapturedLog log = new CapturedLog(PumpRunner.class)) {
      engine(source, 64L << 20, runner("p1", pump, Duration.ofSeconds(5)));
      source.push(KEY, RecordKind.ANALYTICS, RECORDS.subList(0, 10));
      await().until(() -> meters.counter("pump.records.lost",
          "pump", "p1", "type", "test", "reason", "deadletter_failed").count() == 1);
      assertThat(pump.received()).hasSize(9);
      assertThat(log.messages(Level.ERROR)).anyMatch(m -> m.startsWith("LOST 1 records of pump p1")
          && m.contains("Read-only file system"));
    }
  }

  @Test
  void aStopBeforeTheStartReturnsAtOnceAndCompletes() {
    RecordingPump pump = new RecordingPump();
    DeliveryEngine e = new DeliveryEngine(new InMemoryDeliverySource(true, 10), decoding(),
        List.of(runner("p", pump, Duration.ofSeconds(5))), deadLetters,
        new DeliveryEngine.Settings(1 << 20, Duration.ofSeconds(5),
            new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)), Duration.ofMillis(50),
            Duration.ofSeconds(60)), meters);
    long start = System.nanoTime();
    DeliveryEngine.StopReport report = e.stop(Deadline.after(Duration.ofSeconds(20)));
    assertThat(report.complete()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(pump.flushes()).isEqualTo(1);
  }
}

