package io.pumpd.app.redis.stream;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.RecordingPump;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Pumps for delivery tests. */
final class TestPumps {
  private TestPumps() {}

  /** The distinct API keys a pump received. */
  static Set<String> keys(RecordingPump pump) {
    Set<String> out = new HashSet<>();
    pump.received().forEach(r -> out.add(r.getApiKey()));
    return out;
  }

  /** Records received more than once. */
  static int duplicates(RecordingPump pump) {
    return pump.received().size() - keys(pump).size();
  }

  /** A sink that can be taken down: while down, every write fails as retriable (503, refused). */
  static class Switchable extends RecordingPump {
    private volatile boolean down;

    Switchable down(boolean d) {
      down = d;
      return this;
    }

    @Override
    public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
        throws PumpException {
      if (down) {
        throw new RetriablePumpException("connection refused (test sink down)");
      }
      return super.write(records, deadline);
    }
  }

  /** A sink that also takes uptime records (like the stdout pump), recording them. */
  static final class WithUptime extends RecordingPump implements io.pumpd.core.pump.UptimeCapable {
    final List<io.pumpd.core.record.UptimeRecord> uptime =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void writeUptime(List<io.pumpd.core.record.UptimeRecord> records, Deadline deadline) {
      uptime.addAll(records);
    }
  }

  /**
   * A buffered sink, like the Elasticsearch pump with a long flush interval: it confirms the
   * batches it took only when flushed.
   */
  static final class ConfirmsOnFlush extends RecordingPump {
    private final Map<CompletableFuture<WriteResult>, Integer> unconfirmed = new LinkedHashMap<>();

    @Override
    public synchronized CompletionStage<WriteResult> write(List<AnalyticsRecord> records,
        Deadline deadline) throws PumpException {
      super.write(records, deadline);
      CompletableFuture<WriteResult> stage = new CompletableFuture<>();
      unconfirmed.put(stage, records.size());
      return stage;
    }

    @Override
    public synchronized void flush(Deadline deadline) {
      super.flush(deadline);
      unconfirmed.forEach((stage, n) -> stage.complete(WriteResult.delivered(n)));
      unconfirmed.clear();
    }
  }

  /** A buffered sink that takes batches but never confirms them (its flush never happens). */
  static final class NeverConfirms extends RecordingPump {
    @Override
    public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
        throws PumpException {
      super.write(records, deadline);
      return new CompletableFuture<>();
    }
  }
}
