package io.pumpd.app.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.deadletter.DeadLetter;
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
 * kept once. Both apply the same element limit ({@code max_element_bytes}).
 */
final class BatchDecoding implements RecordDecoding {
  private final BatchDecoder decoder;

  private BatchDecoding(BatchDecoder decoder) {
    this.decoder = decoder;
  }

  /**
   * A factory writing undecodable elements to {@code deadLetters}, counting on {@code meters},
   * with {@code maxElementBytes} as the element limit.
   */
  static Factory factory(DeadLetterQueue deadLetters, MeterRegistry meters, long maxElementBytes) {
    return deadLetter -> new BatchDecoding(deadLetter
        ? new BatchDecoder(deadLetters, meters, maxElementBytes)
        : new BatchDecoder(DISCARD, new SimpleMeterRegistry(),
            new RateLimitedLogger(NOPLogger.NOP_LOGGER, Duration.ofDays(1)), maxElementBytes));
  }

  @Override
  public BatchDecoder.Decoded<AnalyticsRecord> records(String key, List<byte[]> raw,
      long maxHeapBytes) {
    return decoder.decode(key, raw, maxHeapBytes);
  }

  @Override
  public BatchDecoder.Decoded<UptimeRecord> uptime(String key, List<byte[]> raw,
      long maxHeapBytes) {
    return decoder.decodeUptime(key, raw, maxHeapBytes);
  }

  /** Where the non-dead-lettering consumers' undecodable elements go: nowhere (kept once elsewhere). */
  private static final DeadLetterQueue DISCARD = new DeadLetterQueue() {
    @Override
    public void write(List<? extends DeadLetter> entries) {}

    @Override
    public long written() {
      return 0;
    }

    @Override
    public void close() {}
  };
}
