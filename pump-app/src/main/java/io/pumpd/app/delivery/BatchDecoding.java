package io.pumpd.app.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.time.Duration;
import java.util.List;
import org.slf4j.helpers.NOPLogger;

/**
 * {@link RecordDecoding} with the core's {@link BatchDecoder}: the consumer that dead-letters gets
 * the real one (counted as {@code pump.records.undecodable}, logged, dead-lettered); the others get
 * one that only skips bad elements, so that an element read by every pump is counted, logged and
 * kept once.
 */
final class BatchDecoding implements RecordDecoding {
  private final BatchDecoder decoder;

  private BatchDecoding(BatchDecoder decoder) {
    this.decoder = decoder;
  }

  /** A factory writing undecodable elements to {@code deadLetters}, counting on {@code meters}. */
  static Factory factory(DeadLetterQueue deadLetters, MeterRegistry meters) {
    return deadLetter -> new BatchDecoding(deadLetter
        ? new BatchDecoder(deadLetters, meters)
        : new BatchDecoder(DISCARD, new SimpleMeterRegistry(),
            new RateLimitedLogger(NOPLogger.NOP_LOGGER, Duration.ofDays(1))));
  }

  @Override
  public List<AnalyticsRecord> records(String key, List<byte[]> raw) {
    return decoder.decode(key, raw);
  }

  @Override
  public List<UptimeRecord> uptime(String key, List<byte[]> raw) {
    return decoder.decodeUptime(key, raw);
  }

  /** Where the non-dead-lettering consumers' undecodable elements go: nowhere (kept once elsewhere). */
  private static final DeadLetterQueue DISCARD = new DeadLetterQueue() {
    @Override
    public void undecodable(String sourceKey, byte[] raw, String reason) {}

    @Override
    public void rejected(String pump, AnalyticsRecord record, String reason) {}

    @Override
    public void rejectedUptime(String pump, UptimeRecord record, String reason) {}

    @Override
    public long written() {
      return 0;
    }

    @Override
    public void close() {}
  };
}
