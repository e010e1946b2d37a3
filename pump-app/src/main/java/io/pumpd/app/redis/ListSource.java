package io.pumpd.app.redis;

import io.pumpd.core.delivery.DeliverySource;
import io.pumpd.core.delivery.ElementBatch;
import io.pumpd.core.delivery.RecordKind;
import io.pumpd.core.delivery.SourceBatch;
import io.pumpd.core.delivery.SourceUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code at_most_once} source (Tyk Pump's behaviour): every read pops one chunk from each
 * gateway list (msgpack and protobuf, in Tyk's order) ({@link RedisRecordSource}, atomically per key, pipelined over the keys), so the
 * records leave Redis when read; the engine hands each batch to every pump and acknowledging is a
 * no-op. The uptime list is popped only while some pump takes uptime records.
 *
 * <p>Purge cycles: reads follow each other while the lists hold records; the first read that
 * finds them all empty ends the cycle (the engine logs it, as Tyk does), and the next one starts
 * {@code purge_delay} later ({@link #idleWait()}).
 *
 * <p>Threading: {@link #read} on the engine's thread; the rest any thread.
 */
public final class ListSource implements DeliverySource {
  private final RedisRecordSource redis;
  private final int chunkSize;
  private final Duration purgeDelay;
  private final boolean purgeUptime;
  private final List<String> keys = new ArrayList<>();
  private Map<RecordKind, Set<String>> lanesByKind = Map.of();

  /**
   * @param chunkSize records popped per key per read ({@code purge_chunk}, or the internal chunk)
   * @param purgeDelay wait after a read that found every list empty
   * @param purgeUptime whether the uptime list may be popped ({@code !dont_purge_uptime_data})
   */
  public ListSource(RedisRecordSource redis, int chunkSize, Duration purgeDelay,
      boolean purgeUptime) {
    this.redis = redis;
    this.chunkSize = chunkSize;
    this.purgeDelay = purgeDelay;
    this.purgeUptime = purgeUptime;
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public void open(Map<RecordKind, Set<String>> lanesByKind, Runnable wake) {
    this.lanesByKind = Map.copyOf(lanesByKind);
    keys.addAll(redis.keys().readOrder()); // msgpack and protobuf lists, in Tyk's order
    if (purgeUptime && !lanesByKind.getOrDefault(RecordKind.UPTIME, Set.of()).isEmpty()) {
      keys.add(redis.keys().uptime());
    }
  }

  @Override
  public List<SourceBatch> read(Set<String> lanes) throws SourceUnavailableException {
    List<PoppedList> popped = redis.poll(keys, chunkSize);
    List<SourceBatch> out = new ArrayList<>(popped.size());
    for (PoppedList p : popped) {
      RecordKind kind = p.key().equals(redis.keys().uptime())
          ? RecordKind.UPTIME : RecordKind.ANALYTICS;
      out.add(new ElementBatch(p.key(), kind, p.elements(),
          lanesByKind.getOrDefault(kind, Set.of())));
    }
    return out;
  }

  @Override
  public void ack(String lane, List<SourceBatch> batches) {
    // popped: nothing is left in Redis to acknowledge
  }

  @Override
  public Duration idleWait() {
    return purgeDelay;
  }

  @Override
  public List<String> notReadyReasons() {
    return redis.notReadyReason().map(List::of).orElseGet(List::of);
  }

  /** Does nothing: the Redis client belongs to the {@link RedisRecordSource} (closed by its owner). */
  @Override
  public void close() {}
}
