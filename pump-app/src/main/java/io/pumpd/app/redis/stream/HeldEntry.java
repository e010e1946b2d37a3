package io.pumpd.app.redis.stream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A stream entry one pump's consumer took (read or claimed) and has not acknowledged: it refers
 * to {@code count} records of batch list {@code batch} from {@code start}, fetched in parts.
 * Confined to the engine's thread.
 */
final class HeldEntry {
  /** Records' size in Redis assumed when an entry does not say (written by an older version). */
  static final long DEFAULT_RECORD_BYTES = 2048;

  final EntryRef ref;
  final StreamKeys keys;
  final long batch;
  final long start;
  final int count;
  /** Bytes per record in Redis, as the entry says, raised when a part shows more. */
  long recordBytes;
  /** Records fetched so far (from {@code start}), not counting ranges to fetch again. */
  int fetched;
  /** Ranges ({@code from, count}) handed out and given back unsettled: fetched again first. */
  final ArrayDeque<int[]> redo = new ArrayDeque<>();
  /** Parts handed to the engine and neither acknowledged nor given back. */
  final Set<StreamBatch> outstanding = Collections.newSetFromMap(new IdentityHashMap<>());
  /** No longer pending in Redis for this pump (dropped by the bound, or acknowledged elsewhere). */
  boolean gone;

  HeldEntry(EntryRef ref, StreamKeys keys, long batch, long start, int count, long recordBytes) {
    this.ref = ref;
    this.keys = keys;
    this.batch = batch;
    this.start = start;
    this.count = count;
    this.recordBytes = recordBytes > 0 ? recordBytes : DEFAULT_RECORD_BYTES;
  }

  /** True when something remains to be fetched. */
  boolean fetchable() {
    return !gone && (!redo.isEmpty() || fetched < count);
  }

  /** Every record fetched and every part acknowledged: the entry may be acknowledged. */
  boolean complete() {
    return fetched >= count && redo.isEmpty() && outstanding.isEmpty();
  }

  /** The next range to fetch: a range given back first, else about {@code targetBytes} of data. */
  int[] nextRange(long targetBytes) {
    if (!redo.isEmpty()) {
      return redo.peekFirst();
    }
    long n = Math.max(1, targetBytes / Math.max(1, recordBytes));
    return new int[] {fetched, (int) Math.min(n, count - fetched)};
  }

  /** Records the fetch of {@code range}: {@code got} records came back (0 = the batch is gone). */
  void fetchedRange(int[] range, int got) {
    if (!redo.isEmpty() && redo.peekFirst() == range) {
      redo.pollFirst();
    } else {
      fetched = got == 0 ? count : fetched + got;
    }
  }

  /**
   * The batch range a stream entry refers to ({@code move.lua}: fields b, s, n, a), or null when
   * the entry refers to nothing usable.
   */
  static HeldEntry of(EntryRef ref, StreamKeys keys, Map<String, byte[]> body) {
    if (body == null || body.get("b") == null || body.get("s") == null || body.get("n") == null) {
      return null;
    }
    try {
      long count = number(body.get("n"));
      if (count <= 0) {
        return null;
      }
      return new HeldEntry(ref, keys, number(body.get("b")), number(body.get("s")), (int) count,
          body.get("a") == null ? 0 : number(body.get("a")));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long number(byte[] text) {
    return Long.parseLong(new String(text, StandardCharsets.US_ASCII));
  }
}
