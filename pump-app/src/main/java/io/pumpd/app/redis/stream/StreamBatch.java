package io.pumpd.app.redis.stream;

import io.pumpd.core.delivery.ElementBatch;
import io.pumpd.core.delivery.RecordKind;
import java.util.List;
import java.util.Set;

/**
 * Records {@code from .. from + elements().size() - 1} of the batch list a stream entry refers
 * to, fetched once for every pump (lane) that read that entry. Identity is what counts: the engine
 * hands this instance back on ack and release. Immutable.
 */
final class StreamBatch extends ElementBatch {
  final EntryRef ref;
  final int from;

  StreamBatch(EntryRef ref, StreamKeys keys, int from, List<byte[]> elements, Set<String> lanes) {
    super(keys.list(), keys.uptime() ? RecordKind.UPTIME : RecordKind.ANALYTICS, elements, lanes);
    this.ref = ref;
    this.from = from;
  }

  @Override
  public String toString() {
    return "StreamBatch[" + ref + " +" + from + ", " + elements().size() + " records, " + lanes()
        + "]";
  }
}
