package io.pumpd.core.engine;

import io.pumpd.core.deadletter.DeadLetter;
import java.util.List;

/**
 * The settled fate of one batch handed to one pump in {@code at_least_once} mode ({@link
 * PumpRunner#deliver}): either it is done with (every record delivered, filtered out or
 * permanently rejected and dead-lettered), so its source entry may be acknowledged, or it must be
 * delivered again ({@link #needsRetry()}), in which case nothing was dead-lettered, or the pump is
 * done with it but its dead letters could not be written ({@link #unwritten()} not empty): then
 * only those must be written again ({@link PumpRunner#writeDeadLetters}) before the entry may be
 * acknowledged.
 *
 * @param pump the pump instance name
 * @param offered records in the batch before this pump's filters
 * @param filtered records this pump's filters dropped
 * @param delivered records the backend acknowledged
 * @param deadLettered records the backend (or the pump) rejected permanently, now in the
 *     dead-letter file
 * @param retryReason why the batch (or its dead letters) must be handled again (retriable failure,
 *     timeout, delivery stage failed or stalled, shutdown, dead-letter store failing); {@code null}
 *     when the batch is settled
 * @param unwritten dead letters of a batch the pump is done with that could not be written
 */
public record DeliveryOutcome(String pump, int offered, int filtered, int delivered,
    int deadLettered, String retryReason, List<DeadLetter> unwritten) {

  public DeliveryOutcome {
    unwritten = List.copyOf(unwritten);
  }

  /** A settled batch. */
  static DeliveryOutcome settled(String pump, int offered, int filtered, int delivered,
      int deadLettered) {
    return new DeliveryOutcome(pump, offered, filtered, delivered, deadLettered, null, List.of());
  }

  /** A batch to deliver again. */
  static DeliveryOutcome retry(String pump, int offered, int filtered, String reason) {
    return new DeliveryOutcome(pump, offered, filtered, 0, 0, reason, List.of());
  }

  /** A batch the pump is done with whose dead letters could not be written. */
  static DeliveryOutcome deadLettersPending(String pump, int offered, int filtered, int delivered,
      List<DeadLetter> unwritten, String reason) {
    return new DeliveryOutcome(pump, offered, filtered, delivered, 0, reason, unwritten);
  }

  /** True when the batch (or its dead letters) must be handled again; false when it may be acked. */
  public boolean needsRetry() {
    return retryReason != null;
  }
}
