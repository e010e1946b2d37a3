package io.pumpd.core.deadletter;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;

/** One entry for the {@link DeadLetterQueue}: what could not be delivered, and why. Immutable. */
public sealed interface DeadLetter {

  /** Why, in the words of whoever gave up on it. */
  String reason();

  /**
   * A Redis list element that is not a valid record, kept with its exact bytes.
   *
   * @param source the Redis key it was taken from
   * @param raw the element's bytes (not copied; not to be modified)
   */
  record Undecodable(String source, byte[] raw, String reason) implements DeadLetter {}

  /** A record {@code pump} rejected for good (or that could not be delivered to it). */
  record Rejected(String pump, AnalyticsRecord record, String reason) implements DeadLetter {}

  /** An uptime record {@code pump} could not write. */
  record RejectedUptime(String pump, UptimeRecord record, String reason) implements DeadLetter {}
}
