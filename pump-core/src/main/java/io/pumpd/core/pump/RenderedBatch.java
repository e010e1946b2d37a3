package io.pumpd.core.pump;

import io.pumpd.core.pump.WriteResult.RecordFailure;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link Pump#write} batch turned into what a sink sends (lines, documents, points, metrics)
 * <em>before</em> anything is sent, with a failure isolated to its record: a record the sink cannot
 * render becomes a {@link RecordFailure} (not retriable: rendering it again gives the same
 * exception) and the others go on. Rendering the whole batch first means a rendering failure never
 * leaves part of a batch written, so offering the batch again cannot duplicate anything.
 *
 * <p>Usage: {@code RenderedBatch<String> lines = RenderedBatch.render(records, "a JSON line",
 * this::line);} then send {@link #values()} (with {@link #records()} alongside, in the same order),
 * and report {@link #result()} or {@link #result(int, List)}.
 *
 * <p>Immutable once built; not meant to be shared between threads.
 *
 * @param <T> what one record renders to
 */
public final class RenderedBatch<T> {

  /** Renders one record; any exception fails that record only. */
  @FunctionalInterface
  public interface Renderer<T> {
    T render(AnalyticsRecord record) throws Exception;
  }

  private final List<AnalyticsRecord> records;
  private final List<T> values;
  private final int[] positions;
  private final List<RecordFailure> failures;
  private final int[] failedPositions;

  private RenderedBatch(
      List<AnalyticsRecord> records,
      List<T> values,
      int[] positions,
      List<RecordFailure> failures,
      int[] failedPositions) {
    this.records = records;
    this.values = values;
    this.positions = positions;
    this.failures = failures;
    this.failedPositions = failedPositions;
  }

  /**
   * Renders every record of {@code batch} in order.
   *
   * @param what what a record is rendered as, for the failure reason ("a csv row"): the reason
   *     reads {@code cannot render the record as <what>: <exception>}
   * @param renderer must not return {@code null}
   */
  public static <T> RenderedBatch<T> render(
      List<AnalyticsRecord> batch, String what, Renderer<T> renderer) {
    List<AnalyticsRecord> ok = new ArrayList<>(batch.size());
    List<T> values = new ArrayList<>(batch.size());
    int[] positions = new int[batch.size()];
    List<RecordFailure> failures = new ArrayList<>(0);
    int[] failedPositions = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      AnalyticsRecord r = batch.get(i);
      T value;
      try {
        value = renderer.render(r);
        if (value == null) {
          throw new IllegalStateException("the renderer returned nothing");
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        failedPositions[failures.size()] = i;
        failures.add(new RecordFailure(r, "cannot render the record as " + what + ": " + e));
        continue;
      }
      positions[ok.size()] = i;
      ok.add(r);
      values.add(value);
    }
    return new RenderedBatch<>(
        List.copyOf(ok),
        List.copyOf(values),
        Arrays.copyOf(positions, ok.size()),
        List.copyOf(failures),
        Arrays.copyOf(failedPositions, failures.size()));
  }

  /** The records that rendered, in batch order; {@code records().get(i)} rendered to {@code values().get(i)}. */
  public List<AnalyticsRecord> records() {
    return records;
  }

  /** What the records rendered to, in batch order. */
  public List<T> values() {
    return values;
  }

  /** The position in the original batch of {@code values().get(i)}. */
  public int position(int i) {
    if (i < 0 || i >= positions.length) {
      throw new IndexOutOfBoundsException(i);
    }
    return positions[i];
  }

  /** The records that did not render, each with its reason, in batch order. */
  public List<RecordFailure> failures() {
    return failures;
  }

  /** The position in the original batch of {@code failures().get(j)}. */
  public int failedPosition(int j) {
    if (j < 0 || j >= failedPositions.length) {
      throw new IndexOutOfBoundsException(j);
    }
    return failedPositions[j];
  }

  /** True when no record rendered (nothing to send). */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** The result when every rendered record was delivered: those delivered, the others failed. */
  public WriteResult result() {
    return new WriteResult(values.size(), failures);
  }

  /**
   * The result when {@code delivered} rendered records were delivered and {@code more} failed on
   * the way (rejected by the backend, say), besides the records that did not render.
   */
  public WriteResult result(int delivered, List<RecordFailure> more) {
    if (more.isEmpty()) {
      return new WriteResult(delivered, failures);
    }
    List<RecordFailure> all = new ArrayList<>(failures.size() + more.size());
    all.addAll(failures);
    all.addAll(more);
    return new WriteResult(delivered, all);
  }
}
