package io.pumpd.core.source;

import java.util.List;

/**
 * Raw elements popped from one Redis key, with the means to settle them once the pumps are done.
 *
 * <p>The core calls exactly one of {@link #ack()} or {@link #release()} per batch, from the purge
 * thread, after every pump's delivery stage for the batch has completed (or failed). In {@code
 * at_most_once} mode both are no-ops, because the pop already removed the elements; an {@code
 * at_least_once} source removes the elements from its in-flight store on {@code ack} and makes them
 * available again on {@code release}.
 */
public interface SourceBatch {

  /** The full Redis key the elements came from (for logs and dead-letter entries). */
  String key();

  /** The raw elements in list order; never {@code null}, never empty. */
  List<byte[]> elements();

  /** Every pump accepted (or dead-lettered) every element: forget them. */
  void ack();

  /** Delivery failed or was abandoned: make the elements available again, if the mode allows. */
  void release();
}
