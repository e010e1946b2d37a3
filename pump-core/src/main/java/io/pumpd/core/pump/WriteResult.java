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
 * @param failures records the backend rejected permanently, each with the reason; the core counts
 *     and dead-letters them
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

  /**
   * One permanently rejected record.
   *
   * @param record the record as the pump received it
   * @param reason why, in the backend's words where possible ("mapper_parsing_exception: ...")
   */
  public record RecordFailure(AnalyticsRecord record, String reason) {}
}
