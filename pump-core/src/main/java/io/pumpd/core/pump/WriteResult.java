package io.pumpd.core.pump;

import io.pumpd.core.record.AnalyticsRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The fate of one {@link Pump#write} batch.
 *
 * @param delivered records the backend acknowledged (or, for fire-and-forget sinks such as UDP,
 *     records handed to the socket)
 * @param failures records not delivered, each with the reason: rejected for good (the core counts
 *     and dead-letters them), or {@linkplain RecordFailure#retriable() not delivered for now} (the
 *     sink was unavailable: {@code at_least_once} offers the whole batch again later and
 *     dead-letters nothing of it this time; {@code at_most_once} dead-letters them too)
 */
public record WriteResult(int delivered, List<RecordFailure> failures) {

  public WriteResult {
    failures = List.copyOf(failures);
  }

  /** All {@code n} records delivered. */
  public static WriteResult delivered(int n) {
    return new WriteResult(n, List.of());
  }

  /** An already completed stage: all {@code n} records delivered. */
  public static CompletionStage<WriteResult> completed(int n) {
    return CompletableFuture.completedFuture(delivered(n));
  }

  /** True when some record was not delivered for now only ({@link RecordFailure#retriable()}). */
  public boolean anyRetriable() {
    for (RecordFailure f : failures) {
      if (f.retriable()) {
        return true;
      }
    }
    return false;
  }

  /**
   * One record that was not delivered.
   *
   * @param record the record as the pump received it
   * @param reason why, in the backend's words where possible ("mapper_parsing_exception: ...")
   * @param retriable false when the backend rejected the record itself (sending it again cannot
   *     help); true when the sink could not take it now (unreachable, busy, gave up at the
   *     pump's timeout, closed while sending): the same record may go through later
   */
  public record RecordFailure(AnalyticsRecord record, String reason, boolean retriable) {

    /** A record the backend rejected for good. */
    public RecordFailure(AnalyticsRecord record, String reason) {
      this(record, reason, false);
    }

    /** A record the sink could not take now; it may go through later. */
    public static RecordFailure forNow(AnalyticsRecord record, String reason) {
      return new RecordFailure(record, reason, true);
    }
  }
}
