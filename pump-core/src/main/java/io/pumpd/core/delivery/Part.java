package io.pumpd.core.delivery;

import io.pumpd.core.deadletter.DeadLetter;
import java.util.List;

/**
 * Decoded records of one {@link SourceBatch} on their way through one {@link Lane}: a batch is
 * decoded in slices of bounded heap, and each slice becomes one part per lane. Records are shared
 * between the lanes' parts (never modified); the delivery state is the lane's own. Confined to the
 * lane's thread once offered.
 */
final class Part {
  final SourceBatch batch;
  final List<?> records;
  /** The heap the records take, counted against the lane's in-flight budget. */
  final long heapBytes;
  int attempts;
  long firstAttemptNanos;
  boolean released;
  /** The pump is done with the records; only dead letters may be left to write. */
  boolean recordsSettled;
  /** Dead letters of this part not written yet; the batch is not acknowledged before they are. */
  List<DeadLetter> unwritten = List.of();

  Part(SourceBatch batch, List<?> records, long heapBytes) {
    this.batch = batch;
    this.records = records;
    this.heapBytes = heapBytes;
  }

  RecordKind kind() {
    return batch.kind();
  }
}
