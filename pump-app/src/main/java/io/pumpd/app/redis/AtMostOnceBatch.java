package io.pumpd.app.redis;

import io.pumpd.core.source.SourceBatch;
import java.util.List;

/**
 * Elements already removed from Redis by the pop ({@code at_most_once}, Tyk's behaviour):
 * {@link #ack()} and {@link #release()} have nothing left to do. An {@code at_least_once} source
 * (elements moved to an in-flight list, removed on ack, put back on release) comes later and needs
 * no change to the dispatcher or the pumps. Immutable.
 */
record AtMostOnceBatch(String key, List<byte[]> elements) implements SourceBatch {

  AtMostOnceBatch {
    elements = List.copyOf(elements);
  }

  /** Nothing to do: the elements left Redis when they were popped. */
  @Override
  public void ack() {}

  /** Nothing can be done: the elements left Redis when they were popped. */
  @Override
  public void release() {}

  @Override
  public String toString() {
    return "AtMostOnceBatch[" + key + ", " + elements.size() + " elements]";
  }
}
