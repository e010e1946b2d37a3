package io.pumpd.core.testing;

import io.pumpd.core.delivery.DeliverySource;
import io.pumpd.core.delivery.ElementBatch;
import io.pumpd.core.delivery.RecordKind;
import io.pumpd.core.delivery.SourceBatch;
import io.pumpd.core.delivery.SourceUnavailableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link DeliverySource} in memory, for engine tests: elements pushed to a key are cut into
 * chunks, each read as one batch. Durable: every lane reads every chunk of its kinds in order, a
 * chunk read by several lanes in one call is one batch for all of them, and a chunk stays
 * unacknowledged for a lane until it acks it (what is not acked at a stop is reported). Not
 * durable: a chunk is read once, for every lane that takes its kind, and forgotten.
 *
 * <p>Thread-safe (all methods synchronized); tests observe it from their own thread.
 */
public final class InMemoryDeliverySource implements DeliverySource {

  /** One chunk of one key. */
  private record Chunk(String key, RecordKind kind, List<byte[]> elements) {}

  private final boolean durable;
  private final int chunkSize;
  private final List<Chunk> chunks = new ArrayList<>();
  private final ArrayDeque<Chunk> unread = new ArrayDeque<>(); // not durable
  private final Map<String, Integer> nextChunk = new HashMap<>();
  private final Map<String, Set<SourceBatch>> unacked = new LinkedHashMap<>();
  private final Map<String, Long> ackedRecords = new LinkedHashMap<>();
  private final Map<String, Set<SourceBatch>> toDrop = new LinkedHashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private Map<RecordKind, Set<String>> lanesByKind = Map.of();
  private Runnable wake = () -> { };
  private boolean unavailable;

  public InMemoryDeliverySource(boolean durable, int chunkSize) {
    this.durable = durable;
    this.chunkSize = chunkSize;
  }

  /** Appends elements to {@code key}, cut into chunks, and wakes the engine. */
  public InMemoryDeliverySource push(String key, RecordKind kind, List<byte[]> elements) {
    Runnable w;
    synchronized (this) {
      for (int i = 0; i < elements.size(); i += chunkSize) {
        Chunk c = new Chunk(key, kind, List.copyOf(elements.subList(i,
            Math.min(elements.size(), i + chunkSize))));
        chunks.add(c);
        unread.addLast(c);
      }
      w = wake;
    }
    w.run();
    return this;
  }

  /** Makes reads fail (true) or work again (false). */
  public synchronized void unavailable(boolean down) {
    this.unavailable = down;
  }

  /** The next maintenance drops every batch {@code lane} holds now, as a backlog bound would. */
  public synchronized void dropHeld(String lane) {
    toDrop.computeIfAbsent(lane, k -> new LinkedHashSet<>())
        .addAll(unacked.getOrDefault(lane, Set.of()));
  }

  /** Records acknowledged for {@code lane}. */
  public synchronized long acked(String lane) {
    return ackedRecords.getOrDefault(lane, 0L);
  }

  /** Batches read for {@code lane} and not acknowledged. */
  public synchronized int unacknowledged(String lane) {
    return unacked.getOrDefault(lane, Set.of()).size();
  }

  /** Calls of {@link #read} so far. */
  public int reads() {
    return reads.get();
  }

  private static SourceBatch batch(Chunk c, Set<String> lanes) {
    return new ElementBatch(c.key(), c.kind(), c.elements(), lanes);
  }

  @Override
  public boolean durable() {
    return durable;
  }

  @Override
  public synchronized void open(Map<RecordKind, Set<String>> lanesByKind, Runnable wake) {
    this.lanesByKind = lanesByKind;
    this.wake = wake;
  }

  @Override
  public synchronized List<SourceBatch> read(Set<String> lanes) throws SourceUnavailableException {
    reads.incrementAndGet();
    if (unavailable) {
      throw new SourceUnavailableException("in-memory source down", null);
    }
    List<SourceBatch> out = new ArrayList<>();
    if (!durable) {
      Chunk c = unread.pollFirst();
      if (c != null) {
        out.add(batch(c, lanesByKind.get(c.kind())));
      }
      return out;
    }
    Map<Chunk, Set<String>> byChunk = new LinkedHashMap<>();
    for (String lane : lanes) {
      int next = nextChunk.getOrDefault(lane, 0);
      while (next < chunks.size() && !lanesByKind.get(chunks.get(next).kind()).contains(lane)) {
        next++;
      }
      if (next < chunks.size()) {
        byChunk.computeIfAbsent(chunks.get(next), k -> new LinkedHashSet<>()).add(lane);
        next++;
      }
      nextChunk.put(lane, next);
    }
    byChunk.forEach((c, ls) -> {
      SourceBatch b = batch(c, ls);
      ls.forEach(l -> unacked.computeIfAbsent(l, k -> new LinkedHashSet<>()).add(b));
      out.add(b);
    });
    return out;
  }

  @Override
  public synchronized void ack(String lane, List<SourceBatch> batches) {
    for (SourceBatch b : batches) {
      if (!durable || unacked.getOrDefault(lane, Set.of()).remove(b)) {
        ackedRecords.merge(lane, (long) b.elements().size(), Long::sum);
      } else {
        throw new AssertionError("ack of a batch " + lane + " does not hold: " + b.key());
      }
    }
  }

  @Override
  public synchronized Map<String, Set<SourceBatch>> maintain() {
    Map<String, Set<SourceBatch>> out = new LinkedHashMap<>(toDrop);
    out.forEach((lane, bs) -> unacked.getOrDefault(lane, new LinkedHashSet<>()).removeAll(bs));
    toDrop.clear();
    return out;
  }

  @Override
  public Duration maintainInterval() {
    return Duration.ofMillis(10);
  }

  @Override
  public Duration idleWait() {
    return Duration.ofMillis(20);
  }

  @Override
  public synchronized List<String> notReadyReasons() {
    return unavailable ? List.of("in-memory source down") : List.of();
  }

  @Override
  public void close() {}
}
