package io.pumpd.core.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the {@link DeliveryEngine} reads raw records from, and where it acknowledges them: the
 * Redis adapter implements it twice, for {@code at_most_once} (elements popped from the gateway
 * lists) and {@code at_least_once} (pump-owned streams). A source carries no delivery logic of its
 * own: no retries, no decoding, no pump calls.
 *
 * <p><b>Threading.</b> {@link #read}, {@link #ack} and {@link #maintain} are called from the
 * engine's thread only, never concurrently; {@link #notReadyReasons} and {@link #status} from any
 * thread, without blocking. <b>Lifecycle:</b> {@link #open} once, then reads and acks, then {@link
 * #close} once (after the engine stopped).
 */
public interface DeliverySource extends AutoCloseable {

  /**
   * True when what the engine read and did not acknowledge stays in the source and is read again
   * (after a restart, or by another daemon): the engine then retries a failing pump without limit
   * and leaves unsettled batches behind at shutdown. False when reading removed the elements: the
   * engine then hands every batch read to its pumps, retries within each pump's timeout only and
   * dead-letters what they could not take.
   */
  boolean durable();

  /**
   * Prepares the source: which pumps (lanes) take which kinds, and what to call when new elements
   * may be waiting (any thread). No blocking I/O.
   */
  void open(Map<RecordKind, Set<String>> lanesByKind, Runnable wake);

  /**
   * Reads the next batches for some of {@code lanes} (those with room); a batch's {@link
   * SourceBatch#lanes()} is a subset of them. Bounded in size by the source's own settings.
   *
   * @return the batches read; empty when nothing waits for these lanes (the engine then waits
   *     {@link #idleWait()} or until woken)
   * @throws SourceUnavailableException the store could not be reached; nothing was read
   */
  List<SourceBatch> read(Set<String> lanes) throws SourceUnavailableException;

  /**
   * {@code lane} is done with {@code batches} (every record delivered, filtered or dead-lettered):
   * the source forgets them for it. Never throws; an acknowledgement that cannot be sent now is
   * kept and sent later (a lost one means a duplicate, never a loss).
   */
  void ack(String lane, List<SourceBatch> batches);

  /**
   * {@code lane} lets go of {@code batches} unsettled (its pump could not take them now, or the
   * daemon is stopping): a durable source makes them available to that lane again (read again
   * later, here or by another daemon). Never throws; a non-durable source ignores it.
   */
  default void release(String lane, List<SourceBatch> batches) {}

  /**
   * Periodic upkeep (every {@link #maintainInterval()}): renews what the engine holds so that no
   * other daemon takes it over, takes over work other daemons abandoned, enforces backlog bounds.
   *
   * @return per lane, the batches held that are no longer this daemon's to deliver (dropped by a
   *     backlog bound, taken over elsewhere): the engine stops delivering them, without ack
   */
  default Map<String, Set<SourceBatch>> maintain() {
    return Map.of();
  }

  /** How often {@link #maintain()} runs. */
  default Duration maintainInterval() {
    return Duration.ofSeconds(1);
  }

  /**
   * The first step of a stop: take nothing new from upstream (in {@code at_least_once}, move
   * nothing more from the gateway's lists); what was taken can still be read. Returns at once.
   */
  default void stopIntake() {}

  /** How long the engine waits after a read that found nothing (unless woken). */
  Duration idleWait();

  /** Why the source is not ready (store unreachable, refusing commands); empty when ready. */
  List<String> notReadyReasons();

  /** Per lane, what the source knows of its backlog (records waiting, lag), for status. */
  default Map<String, Map<String, Object>> status() {
    return Map.of();
  }

  /** Closes connections; idempotent. What was read and not acknowledged is left as it is. */
  @Override
  void close();
}
