package io.pumpd.core.testing;

import io.pumpd.core.deadletter.DeadLetter;
import io.pumpd.core.deadletter.DeadLetterException;
import io.pumpd.core.deadletter.DeadLetterQueue;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link DeadLetterQueue} that keeps entries in memory, for tests; it can be made to fail like
 * a full disk ({@link #failWith}). Thread-safe.
 */
public final class RecordingDeadLetters implements DeadLetterQueue {
  /** One entry: what it was about ({@code source} key or {@code pump}) and why. */
  public record Entry(String kind, String where, String reason, byte[] raw, Object record) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();
  private volatile String failure;

  @Override
  public void write(List<? extends DeadLetter> letters) throws DeadLetterException {
    String f = failure;
    if (f != null) {
      throw new DeadLetterException(f);
    }
    for (DeadLetter d : letters) {
      if (d instanceof DeadLetter.Undecodable u) {
        entries.add(new Entry("undecodable", u.source(), u.reason(), u.raw(), null));
      } else if (d instanceof DeadLetter.Rejected r) {
        entries.add(new Entry("rejected", r.pump(), r.reason(), null, r.record()));
      } else if (d instanceof DeadLetter.RejectedUptime r) {
        entries.add(new Entry("rejected_uptime", r.pump(), r.reason(), null, r.record()));
      }
    }
  }

  /** Makes every later write fail with {@code reason} ({@code null}: succeed again). */
  public void failWith(String reason) {
    failure = reason;
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  @Override
  public long written() {
    return entries.size();
  }

  @Override
  public Optional<String> problem() {
    return Optional.ofNullable(failure);
  }

  @Override
  public void close() {}
}
