package io.pumpd.core.testing;

import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link DeadLetterQueue} that keeps entries in memory, for tests. Thread-safe. */
public final class RecordingDeadLetters implements DeadLetterQueue {
  /** One entry: what it was about ({@code source} key or {@code pump}) and why. */
  public record Entry(String kind, String where, String reason, byte[] raw, Object record) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  @Override
  public void undecodable(String sourceKey, byte[] raw, String reason) {
    entries.add(new Entry("undecodable", sourceKey, reason, raw, null));
  }

  @Override
  public void rejected(String pump, AnalyticsRecord record, String reason) {
    entries.add(new Entry("rejected", pump, reason, null, record));
  }

  @Override
  public void rejectedUptime(String pump, UptimeRecord record, String reason) {
    entries.add(new Entry("rejected_uptime", pump, reason, null, record));
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  @Override
  public long written() {
    return entries.size();
  }

  @Override
  public void close() {}
}
