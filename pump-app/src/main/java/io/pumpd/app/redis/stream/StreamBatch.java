package io.pumpd.app.redis.stream;

import io.pumpd.core.delivery.RecordKind;
import io.pumpd.core.delivery.SourceBatch;
import java.util.List;
import java.util.Set;

/**
 * Records {@code from .. from + elements.size() - 1} of the batch list a stream entry refers to,
 * fetched once for every pump (lane) that read that entry. Identity is what counts: the engine
 * hands this instance back on ack and release. Immutable.
 */
final class StreamBatch implements SourceBatch {
  final EntryRef ref;
  final int from;
  private final StreamKeys keys;
  private final List<byte[]> elements;
  private final Set<String> lanes;

  StreamBatch(EntryRef ref, StreamKeys keys, int from, List<byte[]> elements, Set<String> lanes) {
    this.ref = ref;
    this.keys = keys;
    this.from = from;
    this.elements = elements;
    this.lanes = Set.copyOf(lanes);
  }

  @Override
  public String key() {
    return keys.list();
  }

  @Override
  public RecordKind kind() {
    return keys.uptime() ? RecordKind.UPTIME : RecordKind.ANALYTICS;
  }

  @Override
  public List<byte[]> elements() {
    return elements;
  }

  @Override
  public Set<String> lanes() {
    return lanes;
  }

  @Override
  public String toString() {
    return "StreamBatch[" + ref + " +" + from + ", " + elements.size() + " records, " + lanes + "]";
  }
}
