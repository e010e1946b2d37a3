package io.pumpd.sinks.dummy;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tyk's {@code dummy} pump: accepts and discards every record (for trying out a setup and for
 * measuring the daemon without a sink). Counts what it discarded. It renders nothing, so no record
 * can fail in it, whatever its values.
 */
public final class DummyPump implements Pump {
  private final AtomicLong discarded = new AtomicLong();
  private volatile boolean closed;

  @Override
  public void init(PumpContext context) {
    context.meterRegistry().gauge("pump.dummy.discarded", context.tags(), discarded);
  }

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
      throws PumpException {
    if (closed) {
      throw new PumpException("dummy pump is closed");
    }
    discarded.addAndGet(records.size());
    return WriteResult.completed(records.size());
  }

  /** Records discarded so far. */
  public long discarded() {
    return discarded.get();
  }

  @Override
  public void close() {
    closed = true;
  }
}
