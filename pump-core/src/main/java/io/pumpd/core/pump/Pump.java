package io.pumpd.core.pump;

import io.pumpd.core.record.AnalyticsRecord;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A sink for analytics records (Tyk's "pump"): Elasticsearch, DogStatsD, InfluxDB 2, stdout, ...
 *
 * <h2>Lifecycle</h2>
 *
 * {@code create (PumpFactory) -> init -> (write | flush)* -> flush -> close}. Not restartable.
 *
 * <h2>Threading</h2>
 *
 * <ul>
 *   <li>{@link #init} runs once, before any {@code write} or {@code flush}: on the startup thread,
 *       or, for a pump whose {@code init} failed at start, on the daemon's init-retry thread (each
 *       attempt with a fresh instance).
 *   <li>{@link #write} and {@link #flush} are called from this pump's own runner thread, one at a
 *       time: never concurrently with each other. Other pumps have their own threads, so a slow
 *       pump does not block its neighbours' writes.
 *   <li>{@link #close} is called from the daemon's shutdown thread, normally after the final
 *       {@link #flush}; but it may come while a {@code write} or {@code flush} is still blocked on
 *       the runner thread (back-pressure, a backend that does not answer, the shutdown deadline
 *       passed), and it is also called on a pump whose {@code init} failed or never ran. See {@link
 *       #close} for what it must then do.
 *   <li>{@link #readiness} may be called from any thread at any time: before {@code init}, during a
 *       blocked {@code write}, after {@code close}.
 * </ul>
 *
 * <h2>Records</h2>
 *
 * The records handed to {@code write} have already been filtered and prepared for this pump by the
 * core ({@code filters}, {@code omit_detailed_recording}, {@code max_record_size}, {@code
 * ignore_fields}, raw decoding). A pump must not modify them: the same instances may be shared with
 * other pumps.
 *
 * <p>Any decodable record may arrive, however extreme its values (a time at year ±1e9, negative
 * counters, NaN coordinates, megabyte strings). A record the pump cannot render, or that the
 * backend refuses for a reason of its own, is a {@link WriteResult.RecordFailure} (not retriable)
 * with the reason, never an exception for the whole batch; the rest of the batch is delivered. A
 * pump renders the whole batch before it sends anything ({@link RenderedBatch}), so a rendering
 * failure never leaves part of a batch written and a batch offered again is not duplicated.
 *
 * <h2>Delivery</h2>
 *
 * {@code write} returns once the pump has taken responsibility for the records, either written
 * (synchronous sinks) or buffered (buffered sinks), blocking for back-pressure but not past the
 * deadline. The returned stage completes when every record's fate is known: delivered to the
 * backend, or not ({@link WriteResult#failures()}). A failure says whether the backend rejected
 * the record itself (the core counts it and writes it to the dead-letter file) or the sink could
 * not take it for now ({@link WriteResult.RecordFailure#retriable()}: unreachable, busy, gave up at
 * the deadline, closed while sending), in which case {@code at_least_once} offers the batch again
 * later instead of dead-lettering it ({@code at_most_once} dead-letters such records: they left
 * Redis and offering the batch again could duplicate the others); a pump must not call an outage
 * a rejection. The core acknowledges a source batch for this pump (its consumer group, in {@code
 * at_least_once}) only when this pump's stages for every record of it have completed, which is
 * what at-least-once delivery builds on; a buffered pump must therefore complete the stage when
 * its buffer for those records has been sent, not when it was filled. A stage completed
 * exceptionally means the records were not delivered and may be retried. A {@code write} that
 * throws {@link RetriablePumpException} took nothing: the core offers the same batch again later,
 * with backoff, in both modes (in {@code at_most_once} within the pump's {@code timeout}).
 *
 * <p>Every sink's tests run these guarantees as checks: {@code io.pumpd.core.pump.PumpContractKit}
 * in pump-core's test jar.
 */
public interface Pump {

  /**
   * Validates resources (files, URLs) and creates clients. Must not block on the backend being
   * reachable: a backend that is down at start makes the pump report {@link #readiness() not
   * ready} and deliver once it is back.
   *
   * @throws PumpException the pump cannot work with this configuration; the daemon logs it and
   *     skips the pump (as Tyk does), and fails to start when no pump is left
   */
  void init(PumpContext context) throws PumpException;

  /**
   * Hands a batch to the pump; see the class comment for threading and delivery semantics.
   *
   * @param records prepared records, never empty, not to be modified
   * @param deadline when the core stops waiting for this call (the pump's {@code timeout})
   * @return completes when every record is delivered or failed (see the class comment)
   * @throws RetriablePumpException the batch was not taken, a later attempt may succeed
   * @throws PumpException the batch was not taken and retrying will not help; the core
   *     dead-letters it with the exception's message as the reason
   */
  CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
      throws PumpException;

  /**
   * Sends everything buffered and waits for the backend's answers, bounded by {@code deadline}.
   * Called at shutdown before {@link #close}, and whenever the core needs buffered data out. The
   * default does nothing (for unbuffered pumps).
   *
   * @throws PumpException some buffered records could not be sent before the deadline; the message
   *     says how many
   */
  default void flush(Deadline deadline) throws PumpException {}

  /**
   * Releases what the pump created (clients, threads, files). Does not flush: the core calls {@link
   * #flush} first. Idempotent, and safe on a pump whose {@code init} failed or never ran. Returns
   * within seconds even when the backend does not answer.
   *
   * <p>A {@code write} blocked on the runner thread when {@code close} is called (from the shutdown
   * thread) returns promptly: with its stage, or throwing {@link RetriablePumpException} (its
   * records were not rejected, so not a plain {@link PumpException}, which would have them
   * dead-lettered). Every stage handed out completes, at the latest just after {@code close}
   * returns: records still unanswered are failed as {@linkplain
   * WriteResult.RecordFailure#retriable() retriable}, or their stage completes exceptionally, never
   * as rejected. After {@code close}, {@code write} throws {@link PumpException} at once and {@code
   * flush} returns at once, doing nothing or throwing {@link PumpException}.
   */
  void close();

  /**
   * Whether the pump can currently deliver, for the readiness endpoint: empty when ready, else a
   * short reason ("elasticsearch unreachable: connection refused"). Cheap; never blocks, never
   * throws, whatever the pump's state (before {@code init}, during a blocked write, after {@code
   * close}).
   */
  default Optional<String> readiness() {
    return Optional.empty();
  }
}
