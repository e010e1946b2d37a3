package io.pumpd.core.testing;

import io.pumpd.core.source.RecordSource;
import io.pumpd.core.source.SourceBatch;
import io.pumpd.core.source.SourceUnavailableException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link RecordSource} over in-memory lists, for engine tests: {@link #push} appends elements to
 * a key; polls pop chunks like the Redis source. Counts acks and releases. Thread-safe.
 */
public final class InMemoryRecordSource implements RecordSource {
  public static final String UPTIME_KEY = "host-checker:tyk-uptime-analytics";
  private final Map<String, Deque<byte[]>> lists = new LinkedHashMap<>();
  private final AtomicInteger acked = new AtomicInteger();
  private final AtomicInteger released = new AtomicInteger();
  private final AtomicInteger polls = new AtomicInteger();
  private volatile boolean available = true;

  public synchronized InMemoryRecordSource push(String key, List<byte[]> elements) {
    lists.computeIfAbsent(key, k -> new ArrayDeque<>()).addAll(elements);
    return this;
  }

  /** Makes polls fail as if Redis were down. */
  public void setAvailable(boolean available) {
    this.available = available;
  }

  @Override
  public synchronized List<SourceBatch> pollAnalytics(int chunkSize) throws SourceUnavailableException {
    polls.incrementAndGet();
    check();
    List<SourceBatch> out = new ArrayList<>();
    for (Map.Entry<String, Deque<byte[]>> e : lists.entrySet()) {
      if (!e.getKey().equals(UPTIME_KEY) && !e.getValue().isEmpty()) {
        out.add(pop(e.getKey(), e.getValue(), chunkSize));
      }
    }
    return out;
  }

  @Override
  public synchronized Optional<SourceBatch> pollUptime(int chunkSize) throws SourceUnavailableException {
    check();
    Deque<byte[]> d = lists.get(UPTIME_KEY);
    return d == null || d.isEmpty() ? Optional.empty() : Optional.of(pop(UPTIME_KEY, d, chunkSize));
  }

  private void check() throws SourceUnavailableException {
    if (!available) {
      throw new SourceUnavailableException("in-memory source set unavailable", null);
    }
  }

  private SourceBatch pop(String key, Deque<byte[]> d, int chunk) {
    List<byte[]> elements = new ArrayList<>();
    while (!d.isEmpty() && elements.size() < chunk) {
      elements.add(d.poll());
    }
    return new SourceBatch() {
      @Override
      public String key() {
        return key;
      }

      @Override
      public List<byte[]> elements() {
        return elements;
      }

      @Override
      public void ack() {
        acked.incrementAndGet();
      }

      @Override
      public void release() {
        released.incrementAndGet();
      }
    };
  }

  public synchronized int remaining() {
    return lists.values().stream().mapToInt(Deque::size).sum();
  }

  public int acked() {
    return acked.get();
  }

  public int released() {
    return released.get();
  }

  public int polls() {
    return polls.get();
  }

  @Override
  public boolean isAvailable() {
    return available;
  }

  @Override
  public void close() {}
}
