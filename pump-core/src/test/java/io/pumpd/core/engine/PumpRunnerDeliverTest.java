package io.pumpd.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RecordingDeadLetters;
import io.pumpd.core.testing.RecordingPump;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link PumpRunner#deliver}: the at_least_once hand-over, which retries instead of dead-lettering. */
class PumpRunnerDeliverTest {
  private static final Duration NO_STALL_LIMIT = Duration.ZERO;
  private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<AnalyticsRecord> batch = Fixtures.records(Fixtures.MODERN).subList(0, 10);

  private PumpRunner runner(RecordingPump pump, Duration timeout, String entryJson) throws Exception {
    PumpEntry entry = new ObjectMapper().readValue(entryJson, PumpEntry.class);
    return new PumpRunner("p1", "test", pump, new RecordPreparer(entry, 0, false), timeout,
        Duration.ZERO, deadLetters, meters);
  }

  private PumpRunner runner(RecordingPump pump, Duration timeout) throws Exception {
    return runner(pump, timeout, "{}");
  }

  private static DeliveryOutcome settle(CompletableFuture<DeliveryOutcome> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aDeliveredBatchIsSettled() throws Exception {
    RecordingPump pump = new RecordingPump();
    DeliveryOutcome o = settle(runner(pump, Duration.ofSeconds(5)).deliver(batch, NO_STALL_LIMIT));
    assertThat(o.needsRetry()).isFalse();
    assertThat(o.delivered()).isEqualTo(10);
    assertThat(pump.received()).hasSize(10);
  }

  @Test
  void aRetriableFailureAsksForARetryAndDeadLettersNothing() throws Exception {
    RecordingPump pump = new RecordingPump();
    pump.then(rs -> { throw new RetriablePumpException("503 busy"); });
    PumpRunner r = runner(pump, Duration.ofMillis(400));
    DeliveryOutcome o = settle(r.deliver(batch, NO_STALL_LIMIT));
    assertThat(o.needsRetry()).isTrue();
    assertThat(o.retryReason()).contains("503 busy");
    assertThat(pump.writes()).isEqualTo(1); // one attempt: the lane retries (one retry policy)
    assertThat(deadLetters.entries()).isEmpty();
    assertThat(meters.counter("pump.records.retried", "pump", "p1", "type", "test").count())
        .isEqualTo(10);
  }

  @Test
  void aPermanentFailureIsDeadLetteredAndSettled() throws Exception {
    RecordingPump pump = new RecordingPump().then(rs -> { throw new PumpException("401 bad token"); });
    DeliveryOutcome o = settle(runner(pump, Duration.ofSeconds(5)).deliver(batch, NO_STALL_LIMIT));
    assertThat(o.needsRetry()).isFalse();
    assertThat(o.deadLettered()).isEqualTo(10);
    assertThat(deadLetters.entries()).hasSize(10)
        .allSatisfy(e -> assertThat(e.reason()).contains("401 bad token"));
  }

  @Test
  void recordsNotDeliveredForNowAskForARetryOfTheWholeBatchAndDeadLetterNothing() throws Exception {
    CompletableFuture<WriteResult> stage = new CompletableFuture<>();
    RecordingPump pump = new RecordingPump().then(rs -> stage);
    CompletableFuture<DeliveryOutcome> outcome =
        runner(pump, Duration.ofSeconds(5)).deliver(batch, NO_STALL_LIMIT);
    stage.complete(new WriteResult(8, List.of(
        new WriteResult.RecordFailure(batch.get(0), "mapper_parsing_exception"),
        WriteResult.RecordFailure.forNow(batch.get(1), "Resource temporarily unavailable"))));

    DeliveryOutcome o = settle(outcome);
    assertThat(o.needsRetry()).isTrue();
    assertThat(o.retryReason()).contains("1 of 10 records not delivered for now")
        .contains("Resource temporarily unavailable");
    // the rejected one is dead-lettered by the attempt that settles the batch: once, not per attempt
    assertThat(deadLetters.entries()).isEmpty();
  }

  @Test
  void aFailedDeliveryStageAsksForARetry() throws Exception {
    CompletableFuture<WriteResult> stage = new CompletableFuture<>();
    RecordingPump pump = new RecordingPump().then(rs -> stage);
    CompletableFuture<DeliveryOutcome> f =
        runner(pump, Duration.ofSeconds(5)).deliver(batch, NO_STALL_LIMIT);
    assertThat(f).isNotDone(); // taken, not yet delivered
    stage.completeExceptionally(new java.io.IOException("connection reset"));
    DeliveryOutcome o = settle(f);
    assertThat(o.needsRetry()).isTrue();
    assertThat(o.retryReason()).contains("connection reset");
    assertThat(deadLetters.entries()).isEmpty();
  }

  @Test
  void recordsTheBackendRejectsAreDeadLetteredAndTheRestCountsAsDelivered() throws Exception {
    CompletableFuture<WriteResult> stage = new CompletableFuture<>();
    RecordingPump pump = new RecordingPump().then(rs -> stage);
    CompletableFuture<DeliveryOutcome> f =
        runner(pump, Duration.ofSeconds(5)).deliver(batch, NO_STALL_LIMIT);
    stage.complete(new WriteResult(9, List.of(
        new WriteResult.RecordFailure(batch.get(3), "mapper_parsing_exception"))));
    DeliveryOutcome o = settle(f);
    assertThat(o.needsRetry()).isFalse();
    assertThat(o.delivered()).isEqualTo(9);
    assertThat(o.deadLettered()).isEqualTo(1);
    assertThat(deadLetters.entries()).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("mapper_parsing_exception"));
  }

  @Test
  void aWriteThatOutlastsTheTimeoutIsInterruptedAndAsksForARetry() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    RecordingPump pump = new RecordingPump().then(rs -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return null;
    });
    PumpRunner r = runner(pump, Duration.ofMillis(300));
    DeliveryOutcome o = settle(r.deliver(batch, NO_STALL_LIMIT));
    assertThat(o.needsRetry()).isTrue();
    assertThat(o.retryReason()).contains("timed out");
    assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(deadLetters.entries()).isEmpty();
    assertThat(settle(r.deliver(batch, NO_STALL_LIMIT)).delivered()).isEqualTo(10);
  }

  @Test
  void aDeliveryStageThatStaysOpenPastTheStallLimitAsksForARetry() throws Exception {
    RecordingPump pump = new RecordingPump().then(rs -> new CompletableFuture<>());
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    DeliveryOutcome o = settle(r.deliver(batch, Duration.ofMillis(200)));
    assertThat(o.needsRetry()).isTrue();
    assertThat(o.retryReason()).contains("not confirmed within 200 ms");
    assertThat(r.pending()).isZero();
  }

  @Test
  void aBatchTheFiltersEmptyIsSettledWithoutCallingThePump() throws Exception {
    RecordingPump pump = new RecordingPump();
    PumpRunner r = runner(pump, Duration.ofSeconds(5),
        "{\"filters\": {\"api_ids\": [\"no-such-api\"]}}");
    DeliveryOutcome o = settle(r.deliver(batch, NO_STALL_LIMIT));
    assertThat(o.needsRetry()).isFalse();
    assertThat(o.filtered()).isEqualTo(10);
    assertThat(pump.writes()).isZero();
  }
}
