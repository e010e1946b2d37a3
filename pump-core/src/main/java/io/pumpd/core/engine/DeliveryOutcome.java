package io.pumpd.core.engine;

/**
 * The settled fate of one batch handed to one pump in {@code at_least_once} mode ({@link
 * PumpRunner#deliver}): either it is done with (every record delivered, filtered out or
 * permanently rejected and dead-lettered), so its source entry may be acknowledged, or it must be
 * delivered again ({@link #needsRetry()}), in which case nothing was dead-lettered.
 *
 * @param pump the pump instance name
 * @param offered records in the batch before this pump's filters
 * @param filtered records this pump's filters dropped
 * @param delivered records the backend acknowledged
 * @param deadLettered records the backend (or the pump) rejected permanently, now in the
 *     dead-letter file
 * @param retryReason why the batch must be delivered again (retriable failure, timeout, delivery
 *     stage failed or stalled, shutdown); {@code null} when the batch is settled
 */
public record DeliveryOutcome(
    String pump, int offered, int filtered, int delivered, int deadLettered, String retryReason) {

  /** A settled batch. */
  static DeliveryOutcome settled(String pump, int offered, int filtered, int delivered,
      int deadLettered) {
    return new DeliveryOutcome(pump, offered, filtered, delivered, deadLettered, null);
  }

  /** A batch to deliver again. */
  static DeliveryOutcome retry(String pump, int offered, int filtered, String reason) {
    return new DeliveryOutcome(pump, offered, filtered, 0, 0, reason);
  }

  /** True when the batch was not delivered and must be offered again; false when it may be acked. */
  public boolean needsRetry() {
    return retryReason != null;
  }
}
