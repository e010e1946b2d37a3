package io.pumpd.sinks.dogstatsd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.pump.WriteResult.RecordFailure;
import io.pumpd.core.record.AnalyticsRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {
  private final DeliveryLedger ledger = new DeliveryLedger(Runnable::run);
  private final AnalyticsRecord a = new AnalyticsRecord().setPath("/a");
  private final AnalyticsRecord b = new AnalyticsRecord().setPath("/b");
  private final AnalyticsRecord c = new AnalyticsRecord().setPath("/c");

  @Test
  @DisplayName("a batch completes only when its last metric has reached the socket")
  void completesWhenAllSent() throws Exception {
    DeliveryLedger.Batch batch = ledger.open(3, List.of());
    ledger.register(batch, a);
    ledger.register(batch, b);
    ledger.sent(1); // accounted before the batch is sealed
    ledger.register(batch, c);
    CompletableFuture<WriteResult> stage = ledger.seal(batch, true).toCompletableFuture();

    assertThat(stage).isNotDone();
    ledger.sent(1);
    assertThat(stage).isNotDone();
    assertThat(ledger.outstanding()).isEqualTo(1);
    ledger.sent(1);
    assertThat(stage.get()).isEqualTo(WriteResult.delivered(3));
    assertThat(ledger.awaitDrained(Deadline.after(Duration.ofMillis(1)))).isZero();
  }

  @Test
  @DisplayName("permanent send failures are pinned to the records in send order; batches complete in order")
  void failuresByPosition() throws Exception {
    RecordFailure early = new RecordFailure(a, "too long");
    DeliveryLedger.Batch first = ledger.open(2, List.of(early));
    ledger.register(first, b);
    CompletableFuture<WriteResult> s1 = ledger.seal(first, true).toCompletableFuture();
    DeliveryLedger.Batch second = ledger.open(2, List.of());
    ledger.register(second, a);
    ledger.register(second, c);
    CompletableFuture<WriteResult> s2 = ledger.seal(second, true).toCompletableFuture();

    ledger.sent(2);
    ledger.failed(1, "Message too long", false);

    assertThat(s1.get()).isEqualTo(new WriteResult(1, List.of(early)));
    assertThat(s2.get()).isEqualTo(new WriteResult(1, List.of(new RecordFailure(c, "Message too long"))));
  }

  @Test
  @DisplayName("a retriable send failure is a retriable record failure of its own batch only")
  void retriableFailureIsPinnedToItsBatch() throws Exception {
    DeliveryLedger.Batch first = ledger.open(2, List.of());
    ledger.register(first, a);
    ledger.register(first, b);
    CompletableFuture<WriteResult> s1 = ledger.seal(first, true).toCompletableFuture();
    DeliveryLedger.Batch second = ledger.open(1, List.of());
    ledger.register(second, c);
    CompletableFuture<WriteResult> s2 = ledger.seal(second, true).toCompletableFuture();

    ledger.sent(1);
    ledger.failed(1, "Resource temporarily unavailable", true);
    ledger.sent(1);

    assertThat(s1.get()).isEqualTo(
        new WriteResult(1, List.of(RecordFailure.forNow(b, "Resource temporarily unavailable"))));
    assertThat(s1.get().anyRetriable()).isTrue();
    assertThat(s2.get()).isEqualTo(WriteResult.delivered(1));
  }

  @Test
  @DisplayName("abandoning fails open batches as retriable, wakes flushers and refuses new batches")
  void abandon() throws Exception {
    DeliveryLedger.Batch batch = ledger.open(1, List.of());
    ledger.register(batch, a);
    CompletableFuture<WriteResult> stage = ledger.seal(batch, true).toCompletableFuture();

    assertThat(ledger.abandonAll("closed")).isEqualTo(1);

    assertThatThrownBy(stage::get).cause().isInstanceOf(RetriablePumpException.class);
    assertThat(ledger.awaitDrained(Deadline.NONE)).isZero();
    assertThatThrownBy(() -> ledger.open(1, List.of())).hasMessageContaining("closed");
  }
}
