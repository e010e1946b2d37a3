package io.pumpd.core.codec;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one batch of Redis list elements popped from one key into records, keeping the good ones
 * in order and handling each bad one so that it never becomes a {@code null} and never stops the
 * batch: it is counted ({@code pump.records.undecodable}, tagged {@code source} = the key), logged
 * at WARN naming the key and the reason (at most one line per key per 10 s, with a count of the
 * lines held back) and written with its exact raw bytes to the {@link DeadLetterQueue}.
 *
 * <p>Threading: not thread-safe. It owns a {@link MsgpackRecordDecoder}, which reuses its cursor;
 * use one instance per purge thread. The dead-letter queue and the meter registry it is given are
 * thread-safe and may be shared by all instances.
 *
 * <p>Never throws for any element content: an unexpected exception from the decoder (a bug) is
 * treated like an undecodable element, so the rest of the batch still goes on.
 */
public final class BatchDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(BatchDecoder.class);
  static final String METRIC = "pump.records.undecodable";

  private final MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();
  private final DeadLetterQueue deadLetters;
  private final MeterRegistry registry;
  private final RateLimitedLogger log;
  private final Map<String, Counter> counters = new HashMap<>();
  private long undecodable;

  /**
   * @param deadLetters where undecodable elements go (shared, thread-safe)
   * @param registry where {@code pump.records.undecodable} is counted (shared)
   */
  public BatchDecoder(DeadLetterQueue deadLetters, MeterRegistry registry) {
    this(deadLetters, registry, new RateLimitedLogger(LOG, Duration.ofSeconds(10)));
  }

  /** As above with a given log limiter (for tests, or to share one across purge threads). */
  public BatchDecoder(DeadLetterQueue deadLetters, MeterRegistry registry, RateLimitedLogger log) {
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.log = Objects.requireNonNull(log, "log");
  }

  /**
   * The request records of {@code elements} (popped from {@code sourceKey}), in order, without the
   * undecodable ones, which are counted, logged and dead-lettered.
   */
  public List<AnalyticsRecord> decode(String sourceKey, List<byte[]> elements) {
    List<AnalyticsRecord> out = new ArrayList<>(elements.size());
    for (byte[] element : elements) {
      try {
        out.add(decoder.decodeRecord(element));
      } catch (RecordDecodeException e) {
        reject(sourceKey, element, e.getMessage());
      } catch (RuntimeException e) {
        reject(sourceKey, element, "decoder failure: " + e);
      }
    }
    return out;
  }

  /** As {@link #decode}, for uptime records ({@code host-checker:tyk-uptime-analytics}). */
  public List<UptimeRecord> decodeUptime(String sourceKey, List<byte[]> elements) {
    List<UptimeRecord> out = new ArrayList<>(elements.size());
    for (byte[] element : elements) {
      try {
        out.add(decoder.decodeUptime(element));
      } catch (RecordDecodeException e) {
        reject(sourceKey, element, e.getMessage());
      } catch (RuntimeException e) {
        reject(sourceKey, element, "decoder failure: " + e);
      }
    }
    return out;
  }

  /** Undecodable elements seen by this instance. */
  public long undecodable() {
    return undecodable;
  }

  private void reject(String sourceKey, byte[] element, String reason) {
    undecodable++;
    counters
        .computeIfAbsent(
            sourceKey,
            key ->
                Counter.builder(METRIC)
                    .description("Redis list elements that could not be decoded (dead-lettered)")
                    .tag("source", key)
                    .register(registry))
        .increment();
    int size = element == null ? 0 : element.length;
    log.warn(
        "undecodable:" + sourceKey,
        "undecodable element from {} ({} bytes), dead-lettered: {}",
        sourceKey, size, reason);
    deadLetters.undecodable(sourceKey, element == null ? new byte[0] : element, reason);
  }
}
