package io.pumpd.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.deadletter.CapturedLog;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RecordingDeadLetters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * {@link PumpRunner} against pumps that fail the way an audit made them fail: on one record of a
 * batch (a renderer that throws), with an {@link Error}, with a dead-letter store that cannot be
 * written, with an out-of-memory error, and without telling anybody (no timeout).
 */
class PumpRunnerIsolationTest {
  private static final Duration NO_STALL_LIMIT = Duration.ZERO;
  private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<AnalyticsRecord> batch = Fixtures.records(Fixtures.MODERN).subList(0, 10);

  /** A pump that throws {@code failure} for every batch holding a record {@code poison} matches. */
  private static class ThrowingPump implements Pump {
    final List<AnalyticsRecord> received = new CopyOnWriteArrayList<>();
    final AtomicInteger writes = new AtomicInteger();
    final Predicate<AnalyticsRecord> poison;
    final RuntimeException runtime;
    final Error error;

    ThrowingPump(Predicate<AnalyticsRecord> poison, RuntimeException runtime, Error error) {
      this.poison = poison;
      this.runtime = runtime;
      this.error = error;
    }

    @Override
    public void init(PumpContext context) {}

    @Override
    public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
        throws RetriablePumpException {
      writes.incrementAndGet();
      if (records.stream().anyMatch(poison)) {
        if (error != null) {
          throw error;
        }
        throw runtime;
      }
      received.addAll(records);
      return CompletableFuture.completedFuture(WriteResult.delivered(records.size()));
    }

    @Override
    public void close() {}
  }

  private PumpRunner runner(Pump pump, Duration timeout) throws Exception {
    PumpEntry entry = new ObjectMapper().readValue("{}", PumpEntry.class);
    return new PumpRunner("p1", "test", pump, new RecordPreparer(entry, 0, false), timeout,
        Duration.ZERO, deadLetters, meters);
  }

  private static DeliveryOutcome settle(CompletableFuture<DeliveryOutcome> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRecordThePumpThrowsOnIsIsolatedAndTheRestOfTheBatchIsDelivered() throws Exception {
    AnalyticsRecord bad = batch.get(6);
    ThrowingPump pump = new ThrowingPump(r -> r == bad,
        new java.time.DateTimeException("Invalid value for Year: 1000000000"), null);
    DeliveryOutcome o = settle(runner(pump, Duration.ofSeconds(5)).deliver(batch, NO_STALL_LIMIT));
    assertThat(o.needsRetry()).isFalse();
    assertThat(o.delivered()).isEqualTo(9);
    assertThat(o.deadLettered()).isEqualTo(1);
    assertThat(pump.received).hasSize(9).doesNotContain(bad);
    assertThat(deadLetters.entries()).singleElement().satisfies(e -> {
      assertThat(e.record()).isSameAs(bad);
      assertThat(e.reason()).contains("pump failed on this record").contains("Invalid value for Year");
    });
  }

  @Test
  void atMostOnceIsolatesTheRecordToo() throws Exception {
    AnalyticsRecord bad = batch.get(0);
    ThrowingPump pump = new ThrowingPump(r -> r == bad, new IllegalStateException("boom"), null);
    DeliveryOutcome o = runner(pump, Duration.ofSeconds(5))
        .deliver(batch, Duration.ofSeconds(10), 1, false).get();
    assertThat(o.needsRetry()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters.entries().size() == 1);
    assertThat(pump.received).hasSize(9).doesNotContain(bad);
    assertThat(deadLetters.entries().get(0).record()).isSameAs(bad);
  }

  @Test
  void anErrorOnEveryAttemptIsRetriedABoundedNumberOfTimesThenDeadLettered() throws Exception {
    List<AnalyticsRecord> one = batch.subList(0, 1);
    ThrowingPump pump = new ThrowingPump(r -> true, null, new AssertionError("sink bug"));
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    for (int attempt = 1; attempt < PumpRunner.POISON_ATTEMPTS; attempt++) {
      DeliveryOutcome o = settle(r.deliver(one, NO_STALL_LIMIT, attempt, true));
      assertThat(o.needsRetry()).as("attempt %d", attempt).isTrue();
      assertThat(o.retryReason()).contains("sink bug");
      assertThat(deadLetters.entries()).isEmpty();
    }
    DeliveryOutcome last = settle(r.deliver(one, NO_STALL_LIMIT, PumpRunner.POISON_ATTEMPTS, true));
    assertThat(last.needsRetry()).isFalse();
    assertThat(last.deadLettered()).isEqualTo(1);
    assertThat(deadLetters.entries()).singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("AssertionError: sink bug"));
  }

  @Test
  void aStackOverflowInOneRecordIsIsolatedLikeAnyOtherFailure() throws Exception {
    AnalyticsRecord bad = batch.get(9);
    ThrowingPump pump = new ThrowingPump(r -> r == bad, null, new StackOverflowError());
    DeliveryOutcome o = settle(runner(pump, Duration.ofSeconds(5)).deliver(batch, NO_STALL_LIMIT));
    assertThat(o.needsRetry()).isFalse();
    assertThat(o.delivered()).isEqualTo(9);
    assertThat(deadLetters.entries()).singleElement().satisfies(e -> assertThat(e.record()).isSameAs(bad));
  }

  @Test
  void aTrueOutageIsRetriedWithoutEverBeingDeadLettered() throws Exception {
    Pump down = new ThrowingPump(r -> false, null, null) {
      @Override
      public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
          throws RetriablePumpException {
        throw new RetriablePumpException("connection refused");
      }
    };
    PumpRunner r = runner(down, Duration.ofMillis(300));
    for (int attempt = 1; attempt <= PumpRunner.POISON_ATTEMPTS + 2; attempt++) {
      assertThat(settle(r.deliver(batch, NO_STALL_LIMIT, attempt, true)).needsRetry()).isTrue();
    }
    assertThat(deadLetters.entries()).isEmpty();
  }

  @Test
  void deadLettersThatCannotBeWrittenKeepTheBatchUnsettledUntilTheyAre() throws Exception {
    AnalyticsRecord bad = batch.get(2);
    ThrowingPump pump = new ThrowingPump(r -> r == bad, new IllegalArgumentException("bad"), null);
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    deadLetters.failWith("No space left on device");
    DeliveryOutcome o = settle(r.deliver(batch, NO_STALL_LIMIT));
    assertThat(o.needsRetry()).isTrue();
    assertThat(o.retryReason()).contains("No space left on device");
    assertThat(o.unwritten()).hasSize(1);
    assertThat(pump.received).hasSize(9);
    assertThat(r.writeDeadLetters(o.unwritten())).hasValueSatisfying(
        why -> assertThat(why).contains("No space left"));
    deadLetters.failWith(null);
    assertThat(r.writeDeadLetters(o.unwritten())).isEmpty();
    assertThat(deadLetters.entries()).singleElement().satisfies(e -> assertThat(e.record()).isSameAs(bad));
    assertThat(r.failedCount()).isEqualTo(1);
  }

  @Test
  void atMostOnceHandsBackWhatCannotBeDeadLetteredForItsCallerToCount() throws Exception {
    AnalyticsRecord bad = batch.get(2);
    ThrowingPump pump = new ThrowingPump(r -> r == bad, new IllegalArgumentException("bad"), null);
    deadLetters.failWith("Read-only file system");
    DeliveryOutcome o = runner(pump, Duration.ofSeconds(5))
        .deliver(batch, Duration.ofSeconds(10), 1, false).get(10, TimeUnit.SECONDS);
    // the lane counts these as lost (DeliveryEngineTest): the source forgot them already
    assertThat(o.unwritten()).singleElement().satisfies(d -> assertThat(d.reason()).contains("bad"));
    assertThat(o.delivered()).isEqualTo(9);
  }

  @Test
  void anOutOfMemoryErrorInAPumpIsFatal() throws Exception {
    List<String> fatal = new CopyOnWriteArrayList<>();
    FatalErrors.Handler previous = FatalErrors.setHandler((where, e) -> fatal.add(where + ": " + e));
    try {
      ThrowingPump pump = new ThrowingPump(r -> true, null, new OutOfMemoryError("Java heap space"));
      settle(runner(pump, Duration.ofSeconds(5)).deliver(batch, NO_STALL_LIMIT));
      assertThat(fatal).isNotEmpty().allSatisfy(f -> assertThat(f)
          .startsWith("pump-p1").contains("OutOfMemoryError"));
    } finally {
      FatalErrors.setHandler(previous);
    }
  }

  @Test
  void onlyOutOfMemoryAndInternalErrorsAreFatal() {
    assertThat(FatalErrors.isFatal(new OutOfMemoryError())).isTrue();
    assertThat(FatalErrors.isFatal(new java.util.concurrent.ExecutionException(
        new RuntimeException(new OutOfMemoryError("Direct buffer memory"))))).isTrue();
    assertThat(FatalErrors.isFatal(new StackOverflowError())).isFalse();
    assertThat(FatalErrors.isFatal(new AssertionError())).isFalse();
    assertThat(FatalErrors.isFatal(new IllegalStateException())).isFalse();
  }
}
