package io.pumpd.core.codec;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.core.deadletter.DeadLetter;
import io.pumpd.core.deadletter.DeadLetterException;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one batch of Redis list elements taken from one key into records, keeping the good ones
 * in order and handling each bad one so that it never becomes a {@code null} and never stops the
 * batch: it is counted ({@code pump.records.undecodable}, tagged {@code source} = the key), logged
 * at WARN naming the key and the reason (at most one line per key per 10 s, with a count of the
 * lines held back) and written with its exact raw bytes to the {@link DeadLetterQueue}, all of the
 * batch's bad elements in one durable write.
 *
 * <p><b>Limits.</b> An element larger than {@code maxElementBytes}, or that would take more than
 * twice that on the heap once decoded (checked while decoding, before the excess is allocated),
 * is treated as undecodable: dead-lettered with its bytes and a reason naming the limit. What one
 * element may cost the heap is therefore bounded, whatever its content.
 *
 * <p><b>When the dead-letter store fails</b>, the bad elements are not lost by this class: they
 * come back in {@link Decoded#notDeadLettered()}, and the caller decides (keep the source entry
 * unacknowledged, or log them as lost where the source has already forgotten them).
 *
 * <p><b>Element formats.</b> {@link #decode} and {@link #decodeUptime} read the gateway's msgpack
 * elements; {@link #decodeProtobuf} reads the protobuf request records of the {@code *_protobuf}
 * keys (with a {@link ProtobufRecordDecoder} made on first use, under the same limits); {@link
 * #decode(String, List, long, ElementDecoder)} drives any other {@link ElementDecoder} the same
 * way.
 *
 * <p>Threading: not thread-safe. It owns a {@link MsgpackRecordDecoder} and a {@link
 * ProtobufRecordDecoder}, which reuse their state; use one instance per thread. The dead-letter queue and the meter registry it is given are
 * thread-safe and may be shared by all instances.
 *
 * <p>Never throws for any element content: an unexpected exception from the decoder (a bug) is
 * treated like an undecodable element, so the rest of the batch still goes on.
 */
public final class BatchDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(BatchDecoder.class);
  static final String METRIC = "pump.records.undecodable";

  /**
   * One decoded batch.
   *
   * @param records the good records, in order
   * @param heapBytes their estimated heap (what an in-flight budget counts)
   * @param undecodable how many elements could not be decoded
   * @param consumed how many elements of the input were decoded (all of them, unless a heap
   *     budget stopped the decoding early: then the caller decodes the rest later)
   * @param notDeadLettered the undecodable elements that could not be written to the dead-letter
   *     store (empty when they all were); the caller must not forget them
   * @param deadLetterFailure why they could not, or null
   */
  public record Decoded<T>(List<T> records, long heapBytes, int undecodable, int consumed,
      List<DeadLetter.Undecodable> notDeadLettered, String deadLetterFailure) {}

  private final ElementDecoder<AnalyticsRecord> msgpackRecords;
  private final ElementDecoder<UptimeRecord> msgpackUptime;
  private final ZoneId protobufLocalZone;
  private ProtobufRecordDecoder protobuf;
  private final long maxElementBytes;
  private final long maxElementHeapBytes;
  private final DeadLetterQueue deadLetters;
  private final MeterRegistry registry;
  private final RateLimitedLogger log;
  private final Map<String, Counter> counters = new HashMap<>();
  private long undecodable;

  /**
   * Without an element size limit.
   *
   * @param deadLetters where undecodable elements go (shared, thread-safe)
   * @param registry where {@code pump.records.undecodable} is counted (shared)
   */
  public BatchDecoder(DeadLetterQueue deadLetters, MeterRegistry registry) {
    this(deadLetters, registry, new RateLimitedLogger(LOG, Duration.ofSeconds(10)), Long.MAX_VALUE);
  }

  /** With a limit on an element's size ({@code max_element_bytes}) and what it decodes to. */
  public BatchDecoder(DeadLetterQueue deadLetters, MeterRegistry registry, long maxElementBytes) {
    this(deadLetters, registry, new RateLimitedLogger(LOG, Duration.ofSeconds(10)), maxElementBytes);
  }

  /**
   * As above with a given log limiter (for tests, or to share one across threads); protobuf
   * records with {@code TimeZone "Local"} are read in the JVM's default zone.
   */
  public BatchDecoder(DeadLetterQueue deadLetters, MeterRegistry registry, RateLimitedLogger log,
      long maxElementBytes) {
    this(deadLetters, registry, log, maxElementBytes, ZoneId.systemDefault());
  }

  /**
   * As above, reading protobuf records whose {@code TimeZone} is {@code "Local"} in {@code
   * protobufLocalZone} (see {@link ProtobufRecordDecoder#ProtobufRecordDecoder(long, ZoneId)}).
   */
  public BatchDecoder(DeadLetterQueue deadLetters, MeterRegistry registry, RateLimitedLogger log,
      long maxElementBytes, ZoneId protobufLocalZone) {
    this.protobufLocalZone = Objects.requireNonNull(protobufLocalZone, "protobufLocalZone");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.log = Objects.requireNonNull(log, "log");
    if (maxElementBytes <= 0) {
      throw new IllegalArgumentException("maxElementBytes must be > 0: " + maxElementBytes);
    }
    this.maxElementBytes = maxElementBytes;
    this.maxElementHeapBytes =
        maxElementBytes > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * maxElementBytes;
    MsgpackRecordDecoder msgpack = new MsgpackRecordDecoder(maxElementHeapBytes);
    this.msgpackRecords = new ElementDecoder<>() {
      @Override
      public AnalyticsRecord decode(byte[] element) throws RecordDecodeException {
        return msgpack.decodeRecord(element);
      }

      @Override
      public long lastHeapBytes() {
        return msgpack.lastHeapBytes();
      }
    };
    this.msgpackUptime = new ElementDecoder<>() {
      @Override
      public UptimeRecord decode(byte[] element) throws RecordDecodeException {
        return msgpack.decodeUptime(element);
      }

      @Override
      public long lastHeapBytes() {
        return msgpack.lastHeapBytes();
      }
    };
  }

  /**
   * The most heap one element may decode to: twice {@code maxElementBytes} ({@link Long#MAX_VALUE}
   * without a limit). An {@link ElementDecoder} given to {@link #decode(String, List, long,
   * ElementDecoder)} should apply it, as this class's own decoders do.
   */
  public long maxElementHeapBytes() {
    return maxElementHeapBytes;
  }

  /**
   * The request records of {@code elements} (taken from {@code sourceKey}), in order, without the
   * undecodable ones, which are counted, logged and dead-lettered.
   */
  public Decoded<AnalyticsRecord> decode(String sourceKey, List<byte[]> elements) {
    return decode(sourceKey, elements, Long.MAX_VALUE, msgpackRecords);
  }

  /**
   * As {@link #decode(String, List)}, stopping once the records decoded so far take {@code
   * maxHeapBytes} or more ({@link Decoded#consumed()} says how far it got; at least one element
   * is always consumed): so that what a batch decodes to can be held to a budget whatever its
   * size in Redis.
   */
  public Decoded<AnalyticsRecord> decode(String sourceKey, List<byte[]> elements,
      long maxHeapBytes) {
    return decode(sourceKey, elements, maxHeapBytes, msgpackRecords);
  }

  /** As {@link #decode}, for uptime records ({@code host-checker:tyk-uptime-analytics}). */
  public Decoded<UptimeRecord> decodeUptime(String sourceKey, List<byte[]> elements) {
    return decode(sourceKey, elements, Long.MAX_VALUE, msgpackUptime);
  }

  /** As {@link #decode(String, List, long)}, for uptime records. */
  public Decoded<UptimeRecord> decodeUptime(String sourceKey, List<byte[]> elements,
      long maxHeapBytes) {
    return decode(sourceKey, elements, maxHeapBytes, msgpackUptime);
  }

  /**
   * As {@link #decode(String, List)}, for the gateway's protobuf request records (the {@code
   * *_protobuf} keys, {@link ProtobufRecordDecoder}).
   */
  public Decoded<AnalyticsRecord> decodeProtobuf(String sourceKey, List<byte[]> elements) {
    return decode(sourceKey, elements, Long.MAX_VALUE, protobuf());
  }

  /** As {@link #decode(String, List, long)}, for the gateway's protobuf request records. */
  public Decoded<AnalyticsRecord> decodeProtobuf(String sourceKey, List<byte[]> elements,
      long maxHeapBytes) {
    return decode(sourceKey, elements, maxHeapBytes, protobuf());
  }

  private ProtobufRecordDecoder protobuf() {
    if (protobuf == null) {
      protobuf = new ProtobufRecordDecoder(maxElementHeapBytes, protobufLocalZone);
    }
    return protobuf;
  }

  /**
   * As {@link #decode(String, List, long)}, with {@code kind} decoding each element: an element
   * larger than {@code maxElementBytes} is refused without being given to it, and whatever it
   * throws for an element (a {@link RecordDecodeException}, or any other exception, a bug) makes
   * that element undecodable: counted, logged and dead-lettered like the others. {@code kind} is
   * used from the calling thread only.
   */
  public <T> Decoded<T> decode(String sourceKey, List<byte[]> elements, long maxHeapBytes,
      ElementDecoder<T> kind) {
    List<T> out = new ArrayList<>(Math.min(elements.size(), 1024));
    List<DeadLetter.Undecodable> bad = null;
    long heap = 0;
    int consumed = 0;
    for (byte[] element : elements) {
      if (consumed > 0 && heap >= maxHeapBytes) {
        break;
      }
      consumed++;
      String reason;
      if (element != null && element.length > maxElementBytes) {
        reason = "element of " + element.length + " bytes is larger than max_element_bytes ("
            + maxElementBytes + ")";
      } else {
        try {
          out.add(kind.decode(element));
          heap += kind.lastHeapBytes();
          continue;
        } catch (RecordDecodeException e) {
          reason = e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
          reason = "decoder failure: " + e;
        }
      }
      if (bad == null) {
        bad = new ArrayList<>();
      }
      bad.add(new DeadLetter.Undecodable(sourceKey, element == null ? new byte[0] : element, reason));
    }
    if (bad == null) {
      return new Decoded<>(out, heap, 0, consumed, List.of(), null);
    }
    return rejected(sourceKey, out, heap, consumed, bad);
  }

  private <T> Decoded<T> rejected(String sourceKey, List<T> out, long heap, int consumed,
      List<DeadLetter.Undecodable> bad) {
    undecodable += bad.size();
    counters.computeIfAbsent(sourceKey, key -> Counter.builder(METRIC)
            .description("Redis list elements that could not be decoded (dead-lettered)")
            .tag("source", key)
            .register(registry))
        .increment(bad.size());
    String failure = null;
    try {
      deadLetters.write(bad);
    } catch (DeadLetterException e) {
      failure = e.getMessage();
    }
    for (DeadLetter.Undecodable u : bad) {
      if (failure == null) {
        log.warn("undecodable:" + sourceKey, "undecodable element from {} ({} bytes), "
            + "dead-lettered: {}", sourceKey, u.raw().length, u.reason());
      } else {
        log.error("undecodable-not-kept:" + sourceKey, "undecodable element from {} ({} bytes) "
            + "could NOT be dead-lettered ({}): {}", sourceKey, u.raw().length, failure, u.reason());
      }
    }
    return new Decoded<>(out, heap, bad.size(), consumed,
        failure == null ? List.of() : List.copyOf(bad), failure);
  }

  /** Undecodable elements seen by this instance. */
  public long undecodable() {
    return undecodable;
  }
}
