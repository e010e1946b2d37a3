package io.pumpd.core.source;

import java.util.List;
import java.util.Optional;

/**
 * Where raw analytics elements come from: the Redis lists a Tyk Gateway pushes to.
 *
 * <p>Threading: {@code poll*} and {@link #close()} are called from the purge thread only; {@link
 * #isAvailable()} from any thread. Lifecycle: created, polled many times, closed once.
 */
public interface RecordSource extends AutoCloseable {

  /**
   * Pops up to {@code chunkSize} elements from each analytics key (the base key and {@code _0} to
   * {@code _9}), each key atomically, so that two daemons on one Redis never receive the same
   * element.
   *
   * @return one batch per key that had elements; empty when every key was empty
   * @throws SourceUnavailableException Redis could not be reached; nothing was popped (or, if the
   *     reply was lost, what Redis removed is reported in the message)
   */
  List<SourceBatch> pollAnalytics(int chunkSize) throws SourceUnavailableException;

  /** Pops up to {@code chunkSize} elements from the uptime key. */
  Optional<SourceBatch> pollUptime(int chunkSize) throws SourceUnavailableException;

  /** Whether the last contact with Redis succeeded (for readiness); never blocks. */
  boolean isAvailable();

  /**
   * Why the source is not ready, for the readiness endpoint: empty when {@link #isAvailable()};
   * otherwise one line ({@code redis unreachable} unless the source knows better, e.g. that Redis
   * refused the credentials). Never blocks.
   */
  default Optional<String> notReadyReason() {
    return isAvailable() ? Optional.empty() : Optional.of("redis unreachable");
  }

  /** Closes connections; idempotent. */
  @Override
  void close();
}
