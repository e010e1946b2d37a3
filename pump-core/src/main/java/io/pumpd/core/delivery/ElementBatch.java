package io.pumpd.core.delivery;

import java.util.List;
import java.util.Set;

/**
 * A {@link SourceBatch} that is only what it says: elements read from one key, of one kind, for
 * some lanes. For sources that need no handle of their own to acknowledge a batch (popped lists,
 * tests); a source that needs one extends it. Immutable; equal only to itself, as the engine
 * requires.
 */
public class ElementBatch implements SourceBatch {
  private final String key;
  private final RecordKind kind;
  private final List<byte[]> elements;
  private final Set<String> lanes;

  public ElementBatch(String key, RecordKind kind, List<byte[]> elements, Set<String> lanes) {
    this.key = key;
    this.kind = kind;
    this.elements = List.copyOf(elements);
    this.lanes = Set.copyOf(lanes);
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public RecordKind kind() {
    return kind;
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
    return "ElementBatch[" + key + ", " + kind + ", " + elements.size() + " elements]";
  }
}
