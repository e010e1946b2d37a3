package io.pumpd.app.redis;

import java.util.List;

/**
 * Elements one pop removed from one Redis list ({@code at_most_once}, Tyk's behaviour): they are
 * gone from Redis, so nothing is left to acknowledge. Immutable.
 *
 * @param key the list they were popped from
 * @param elements the raw elements in list order; never empty
 */
public record PoppedList(String key, List<byte[]> elements) {

  public PoppedList {
    elements = List.copyOf(elements);
  }

  @Override
  public String toString() {
    return "PoppedList[" + key + ", " + elements.size() + " elements]";
  }
}
