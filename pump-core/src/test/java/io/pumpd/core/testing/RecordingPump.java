package io.pumpd.core.testing;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable {@link Pump} for engine tests: records what it received, can fail the next writes
 * with given exceptions, block until released, or answer with a given delivery stage.
 */
public class RecordingPump implements Pump {
  /** What the next write should do instead of succeeding. */
  @FunctionalInterface
  public interface Behaviour {
    CompletionStage<WriteResult> write(List<AnalyticsRecord> records) throws Exception;
  }

  private final List<AnalyticsRecord> received = new CopyOnWriteArrayList<>();
  private final List<Behaviour> script = new ArrayList<>();
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicInteger flushes = new AtomicInteger();
  private final List<String> threads = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /** Queues behaviours for the next writes; later writes succeed. */
  public synchronized RecordingPump then(Behaviour b) {
    script.add(b);
    return this;
  }

  @Override
  public void init(PumpContext context) {}

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
      throws PumpException {
    writes.incrementAndGet();
    threads.add(Thread.currentThread().getName());
    Behaviour b;
    synchronized (this) {
      b = script.isEmpty() ? null : script.remove(0);
    }
    if (b != null) {
      try {
        CompletionStage<WriteResult> stage = b.write(records);
        if (stage != null) {
          received.addAll(records);
        }
        return stage;
      } catch (PumpException e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PumpException("interrupted", e);
      } catch (Exception e) {
        throw new PumpException(e.getMessage(), e);
      }
    }
    received.addAll(records);
    return CompletableFuture.completedFuture(WriteResult.delivered(records.size()));
  }

  @Override
  public void flush(Deadline deadline) {
    flushes.incrementAndGet();
    threads.add(Thread.currentThread().getName());
  }

  @Override
  public void close() {
    closed = true;
  }

  public List<AnalyticsRecord> received() {
    return List.copyOf(received);
  }

  public int writes() {
    return writes.get();
  }

  public int flushes() {
    return flushes.get();
  }

  public List<String> threads() {
    return List.copyOf(threads);
  }

  public boolean isClosed() {
    return closed;
  }
}
