package io.pumpd.core.engine;

import java.time.Duration;

/**
 * What happened when one batch was handed to one pump, as known when {@code write} returned (or
 * timed out). Delivery results that arrive later are counted by the {@link PumpRunner}'s metrics.
 *
 * @param pump the pump instance name
 * @param offered records in the batch before this pump's filters
 * @param filtered records this pump's filters dropped
 * @param accepted records the pump took (written or buffered)
 * @param deadLettered records that failed at once (permanent error, timeout, crash) and were
 *     written to the dead-letter file
 * @param timedOut the write outlasted the pump's {@code timeout}
 * @param took how long the write call took
 */
public record WriteOutcome(
    String pump,
    int offered,
    int filtered,
    int accepted,
    int deadLettered,
    boolean timedOut,
    Duration took) {

  /** A short fragment for the cycle's log line: {@code es=1000/1000}. */
  public String summary() {
    StringBuilder b = new StringBuilder(pump).append('=').append(accepted);
    if (filtered > 0) {
      b.append(" (").append(filtered).append(" filtered)");
    }
    if (deadLettered > 0) {
      b.append(" (").append(deadLettered).append(" dead-lettered)");
    }
    if (timedOut) {
      b.append(" (timed out)");
    }
    return b.toString();
  }
}
