package io.pumpd.core.delivery;

import java.util.List;
import java.util.Set;

/**
 * Raw elements a {@link DeliverySource} read from one key, for some of the pumps: the unit the
 * engine decodes (once, whatever the number of pumps) and acknowledges (once per pump).
 *
 * <p>Identity matters: the engine keeps per-batch state by identity and hands the same instance
 * back in {@link DeliverySource#ack}. Implementations are immutable (a source may keep its own
 * handle, e.g. a stream entry, in a field of its implementation).
 */
public interface SourceBatch {

  /** The key the elements came from (a gateway list: for logs and dead-letter entries). */
  String key();

  /** What the elements are. */
  RecordKind kind();

  /** The raw elements in list order; never empty. Not to be modified. */
  List<byte[]> elements();

  /** The pumps (lane names) this batch is for; never empty. */
  Set<String> lanes();
}
