package io.pumpd.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.pump.Deadline;
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

/**
 * {@link PumpRunner#deliver} for records that are not redeliverable ({@code at_most_once}: the
 * source forgot them): what the pump took and did not deliver is dead-lettered, never offered
 * again. The retries of a pump that could not take a batch are the lane's (DeliveryEngineTest).
 */
class PumpRunnerTest {
  private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<AnalyticsRecord> batch = Fixtures.records(Fixtures.MODERN).subList(0, 10);

  private PumpRunner runner(RecordingPump pump, Duration timeout) throws Exception {
    PumpEntry entry = new ObjectMapper().readValue("{}", PumpEntry.class);
    return new PumpRunner("p1", "test", pump, new RecordPreparer(entry, 0, false), timeout,
        Duration.ZERO, deadLetters, meters);
  }

  /** One at_most_once attempt, waited for. */
  private DeliveryOutcome write(PumpRunner r) throws Exception {
    return r.deliver(batch, Duration.ofSeconds(10), 1, false).get(20, TimeUnit.SECONDS);
  }

  @Test
  void writesRunOnThePumpsOwnThreadAndDeliveriesAreCounted() throws Exception {
    RecordingPump pump = new RecordingPump();
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    DeliveryOutcome o = write(r);
    assertThat(o.delivered()).isEqualTo(10);
    assertThat(pump.received()).hasSize(10);
    assertThat(pump.threads()).containsOnly("pump-p1");
    assertThat(r.deliveredCount()).isEqualTo(10);
    assertThat(meters.counter("pump.records.delivered", "pump", "p1", "type", "test").count())
        .isEqualTo(10);
  }

  @Test
  void aBatchThePumpCouldNotTakeIsOfferedAgainWithNothingDeadLettered() throws Exception {
    RecordingPump pump = new RecordingPump()
        .then(rs -> { throw new RetriablePumpException("503 busy"); });
    PumpRunner r = runner(pump, Duration.ofSeconds(10));
    DeliveryOutcome o = write(r);
    assertThat(o.needsRetry()).isTrue();
    assertThat(o.retryReason()).contains("503 busy");
    assertThat(deadLetters.entries()).isEmpty();
    assertThat(r.deliver(batch, Duration.ofSeconds(10), 2, false).get().delivered()).isEqualTo(10);
  }

  @Test
  void permanentFailuresAreDeadLetteredWithTheReason() throws Exception {
    RecordingPump pump = new RecordingPump().then(rs -> { throw new PumpException("401 bad token"); });
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    DeliveryOutcome o = write(r);
    assertThat(o.deadLettered()).isEqualTo(10);
    assertThat(o.needsRetry()).isFalse();
    assertThat(pump.writes()).isEqualTo(1);
    assertThat(deadLetters.entries()).hasSize(10)
        .allSatisfy(e -> assertThat(e.reason()).contains("401 bad token"));
    assertThat(r.failedCount()).isEqualTo(10);
  }

  @Test
  void aWriteThatOutlastsTheTimeoutIsInterruptedAndDeadLettered() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    RecordingPump pump = new RecordingPump().then(rs -> {
      try {
        new CountDownLatch(1).await(); // hangs like a stuck backend
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return null;
    });
    PumpRunner r = runner(pump, Duration.ofMillis(300));
    DeliveryOutcome o = write(r);
    assertThat(o.needsRetry()).isFalse(); // taken: offering it again could duplicate
    assertThat(o.deadLettered()).isEqualTo(10);
    assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(deadLetters.entries()).allSatisfy(e -> assertThat(e.reason()).contains("timed out"));
    // the pump thread is free again for the next batch
    assertThat(write(r).delivered()).isEqualTo(10);
  }

  @Test
  void recordsRejectedLaterByTheBackendAreDeadLetteredWhenTheStageCompletes() throws Exception {
    CompletableFuture<WriteResult> stage = new CompletableFuture<>();
    RecordingPump pump = new RecordingPump().then(rs -> stage);
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    CompletableFuture<DeliveryOutcome> o = r.deliver(batch, Duration.ofSeconds(10), 1, false);
    await().until(() -> r.pending() == 10);
    assertThat(o).isNotDone();
    stage.complete(new WriteResult(8, List.of(
        new WriteResult.RecordFailure(batch.get(0), "mapper_parsing_exception"),
        new WriteResult.RecordFailure(batch.get(1), "mapper_parsing_exception"))));
    assertThat(o.get().deadLettered()).isEqualTo(2);
    assertThat(r.pending()).isZero();
    assertThat(r.deliveredCount()).isEqualTo(8);
    assertThat(deadLetters.entries()).hasSize(2)
        .allSatisfy(e -> assertThat(e.reason()).isEqualTo("mapper_parsing_exception"));
  }

  @Test
  void recordsNotDeliveredForNowAreDeadLetteredToo() throws Exception {
    CompletableFuture<WriteResult> stage = new CompletableFuture<>();
    RecordingPump pump = new RecordingPump().then(rs -> stage);
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    CompletableFuture<DeliveryOutcome> o = r.deliver(batch, Duration.ofSeconds(10), 1, false);
    await().until(() -> r.pending() == 10);
    stage.complete(new WriteResult(9, List.of(
        WriteResult.RecordFailure.forNow(batch.get(3), "Resource temporarily unavailable"))));
    // at_most_once has nothing to offer again: only the undelivered record is kept, with the reason
    assertThat(o.get().needsRetry()).isFalse();
    assertThat(deadLetters.entries()).singleElement().satisfies(e -> {
      assertThat(e.record()).isSameAs(batch.get(3));
      assertThat(e.reason()).isEqualTo("Resource temporarily unavailable");
    });
    assertThat(r.deliveredCount()).isEqualTo(9);
  }

  @Test
  void aStageThatFailsDeadLettersTheWholeBatch() throws Exception {
    CompletableFuture<WriteResult> stage = new CompletableFuture<>();
    RecordingPump pump = new RecordingPump().then(rs -> stage);
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    CompletableFuture<DeliveryOutcome> o = r.deliver(batch, Duration.ofSeconds(10), 1, false);
    await().until(() -> r.pending() == 10);
    stage.completeExceptionally(new java.io.IOException("connection reset"));
    assertThat(o.get().needsRetry()).isFalse();
    assertThat(deadLetters.entries()).hasSize(10)
        .allSatisfy(e -> assertThat(e.reason()).contains("connection reset"));
  }

  @Test
  void flushRunsOnThePumpThreadAfterQueuedWrites() throws Exception {
    RecordingPump pump = new RecordingPump();
    PumpRunner r = runner(pump, Duration.ofSeconds(5));
    write(r);
    assertThat(r.flush(Deadline.after(Duration.ofSeconds(5)))).isTrue();
    assertThat(pump.flushes()).isEqualTo(1);
    assertThat(pump.threads()).containsOnly("pump-p1");
    r.close();
    await().until(pump::isClosed);
  }
}
