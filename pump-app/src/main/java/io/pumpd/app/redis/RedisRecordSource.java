package io.pumpd.app.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.pumpd.core.concurrent.Causes;
import io.pumpd.core.config.StorageConfig;
import io.pumpd.core.delivery.SourceUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code at_most_once} Redis source: pops Tyk Gateway analytics from the eleven msgpack keys
 * ({@link AnalyticsKeys}) and from the uptime key, one chunk per key per call, with Tyk's atomic
 * {@code MULTI; LRANGE; LTRIM; EXEC} ({@link ChunkPop}); two pump processes on one Redis therefore
 * never receive the same element. The eleven transactions of {@link #pollAnalytics} are pipelined in
 * one round trip, so an idle poll costs one round trip. Draining a long list "until empty or a
 * budget is hit" is the purge loop's job: it calls {@link #pollAnalytics} repeatedly.
 *
 * <p>Delivery: the pop removes the elements ({@link PoppedList}); {@link ListSource} hands them
 * to the delivery engine as a non-durable source. If the reply to a pop is lost after
 * it was sent (timeout, connection dropped), Redis may have removed up to the requested number of
 * elements that nobody receives; Tyk loses those silently, this source logs each such event at ERROR
 * with the key and the count requested. It cannot recover them: that needs the {@code
 * at_least_once} source.
 *
 * <p>Outages: a failed poll throws {@link SourceUnavailableException} and turns {@link
 * #isAvailable()} false; the outage is logged once when it starts and once when it ends ({@link
 * RedisAvailability}). The source keeps working across Redis restarts: Lettuce reconnects in the
 * background (or, if the first connection never succeeded, the next poll connects).
 *
 * <p>Threading: the poll methods, {@link #storeVersion}, {@link #backlog} and {@link #close()} are
 * serialised (a connection's MULTI state must not interleave); {@link #isAvailable()} never blocks.
 * The connection ({@link #link()}) is the daemon's one Redis client: the {@code at_least_once}
 * streams use it too.
 */
public final class RedisRecordSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRecordSource.class);
  /** Grace on top of the command timeout for awaiting replies Lettuce itself times out. */
  private static final long AWAIT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RedisLink link;
  private final AnalyticsKeys keys;
  private final SourceOptions options;
  private final long commandTimeoutNanos;
  private final RedisAvailability availability;
  /** Last reply error per key, so a persistent one (e.g. WRONGTYPE) is logged once. */
  private final Map<String, String> keyErrors = new HashMap<>();
  private boolean closed;

  /**
   * A source over {@code link}.
   *
   * @param commandTimeoutNanos the client's command timeout (replies are awaited a little longer)
   */
  RedisRecordSource(RedisLink link, AnalyticsKeys keys, SourceOptions options,
      long commandTimeoutNanos) {
    this.link = link;
    this.keys = keys;
    this.options = options;
    this.commandTimeoutNanos = commandTimeoutNanos;
    this.availability = new RedisAvailability(link.describe());
  }

  /**
   * A source for {@code analytics_storage_config}. Does no I/O: the connection is opened by the
   * first command, so a pump starts while Redis is down.
   *
   * @throws RedisConfigException when the config is invalid (every problem listed); fatal at start
   */
  public static RedisRecordSource create(StorageConfig storage, SourceOptions options) {
    RedisConnectionFactory factory = RedisConnectionFactory.create(storage);
    RedisClientSettings settings = factory.settings();
    return new RedisRecordSource(factory.open(),
        AnalyticsKeys.withPrefix(storage.effectiveKeyPrefix()), options, settings.timeout().toNanos());
  }

  /** The Redis connection (shared by the stream source in {@code at_least_once} mode). */
  public RedisLink link() {
    return link;
  }

  /** The client's command timeout. */
  public Duration commandTimeout() {
    return Duration.ofNanos(commandTimeoutNanos);
  }

  /** The key names this source polls. */
  public AnalyticsKeys keys() {
    return keys;
  }

  /** Where this source points, for logs (no credentials). */
  public String describe() {
    return link.describe();
  }

  /**
   * Pops up to {@code chunkSize} elements from each of the eleven analytics keys, in key order
   * (base key, then {@code _0} to {@code _9}).
   *
   * @return one batch per key that had elements; empty when all were empty
   * @throws SourceUnavailableException Redis could not be reached (or refused every key) and no
   *     key was popped; when some keys were popped and others failed, the popped batches are
   *     returned and the failures logged, so nothing already removed from Redis is dropped
   * @throws IllegalArgumentException when {@code chunkSize < 1}
   */
  public synchronized List<PoppedList> pollAnalytics(int chunkSize) throws SourceUnavailableException {
    return pop(keys.analytics(), chunkSize);
  }

  /**
   * Pops up to {@code chunkSize} elements from each of {@code popKeys}, pipelined, each key
   * atomically; as {@link #pollAnalytics} for any set of keys.
   */
  public synchronized List<PoppedList> poll(List<String> popKeys, int chunkSize)
      throws SourceUnavailableException {
    return pop(popKeys, chunkSize);
  }

  /** Pops up to {@code chunkSize} elements from {@code host-checker:tyk-uptime-analytics}. */
  public synchronized Optional<PoppedList> pollUptime(int chunkSize) throws SourceUnavailableException {
    return pop(List.of(keys.uptime()), chunkSize).stream().findFirst();
  }

  /**
   * {@code SET version-check-pump <version>} (no TTL), as Tyk Pump does at start for the
   * Dashboard. Failure is not fatal: it is logged and reported as {@code false}.
   */
  public synchronized boolean storeVersion(String version) {
    ensureOpen();
    try {
      RedisFuture<String> set = link.commandsFor(keys.version())
          .set(keys.version(), version.getBytes(StandardCharsets.UTF_8));
      set.get(commandTimeoutNanos + AWAIT_GRACE_NANOS, TimeUnit.NANOSECONDS);
      availability.up();
      return true;
    } catch (RedisException | ExecutionException | TimeoutException e) {
      Throwable cause = Causes.unwrap(e);
      if (!(cause instanceof RedisCommandExecutionException)) {
        availability.down(cause);
      }
      LOG.warn("Error storing version in Redis (not fatal): {}", RedisAvailability.describe(cause));
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The length of every analytics key and of the uptime key ({@code LLEN}, pipelined), in key
   * order: the backlog waiting in Redis, for metrics and diagnostics.
   *
   * @throws SourceUnavailableException when Redis cannot be reached
   */
  public synchronized Map<String, Long> backlog() throws SourceUnavailableException {
    ensureOpen();
    List<String> all = new ArrayList<>(keys.analytics());
    all.add(keys.uptime());
    Map<String, RedisFuture<Long>> pending = new LinkedHashMap<>();
    try {
      for (String key : all) {
        pending.put(key, link.commandsFor(key).llen(key));
      }
      long deadline = System.nanoTime() + commandTimeoutNanos + AWAIT_GRACE_NANOS;
      Map<String, Long> out = new LinkedHashMap<>();
      for (Map.Entry<String, RedisFuture<Long>> e : pending.entrySet()) {
        out.put(e.getKey(), e.getValue().get(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      }
      availability.up();
      return out;
    } catch (RedisException | ExecutionException | TimeoutException e) {
      Throwable cause = Causes.unwrap(e);
      if (!(cause instanceof RedisCommandExecutionException)) {
        availability.down(cause);
      }
      throw new SourceUnavailableException(
          "LLEN failed on " + link.describe() + ": " + RedisAvailability.describe(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SourceUnavailableException("interrupted while reading the backlog", e);
    }
  }

  /** Whether the last contact with Redis succeeded; false before the first one. Never blocks. */
  public boolean isAvailable() {
    return availability.isUp();
  }

  /** {@link RedisAvailability#notReadyReason()}: says when Redis refused the credentials. */
  public Optional<String> notReadyReason() {
    return availability.notReadyReason();
  }

  /** Shuts the client down within {@link SourceOptions#shutdownTimeout()}; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    link.close(options.shutdownTimeout());
  }

  private List<PoppedList> pop(List<String> popKeys, int chunkSize) throws SourceUnavailableException {
    ensureOpen();
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
    }
    PollTally tally = new PollTally(popKeys.size());
    try {
      link.connect();
    } catch (RedisException e) {
      popKeys.forEach(k -> tally.notSent(e));
      return settle(popKeys, tally);
    }
    List<ChunkPop> pops = new ArrayList<>(popKeys.size());
    for (String key : popKeys) {
      try {
        pops.add(ChunkPop.dispatch(link.commandsFor(key), key, chunkSize,
            options.expireAfterPopSeconds()));
      } catch (RedisException e) {
        tally.notSent(e);
      }
    }
    long deadline = System.nanoTime() + commandTimeoutNanos + AWAIT_GRACE_NANOS;
    Map<String, List<String>> newRefusals = new LinkedHashMap<>();
    for (ChunkPop pop : pops) {
      ChunkPop.Outcome outcome = pop.await(deadline);
      if (outcome instanceof ChunkPop.Popped popped) {
        if (keyErrors.remove(pop.key()) != null) {
          LOG.info("Pops from {} work again", pop.key());
        }
        tally.popped(pop.key(), popped.elements());
      } else if (outcome instanceof ChunkPop.ReplyError refused) {
        tally.refused(refused.error());
        String message = String.valueOf(refused.error().getMessage());
        if (!message.equals(keyErrors.put(pop.key(), message))) {
          newRefusals.computeIfAbsent(message, m -> new ArrayList<>()).add(pop.key());
        }
      } else if (outcome instanceof ChunkPop.NoReply lost) {
        tally.noReply(pop, lost);
      }
    }
    newRefusals.forEach((message, refusedKeys) -> LOG.error(
        "Redis refused the pop from {}: {} (logged again only if it changes)", refusedKeys, message));
    if (tally.anyRefused()) {
      link.onReplyError();
    }
    return settle(popKeys, tally);
  }

  /** Logs possible losses, updates availability, and returns the batches or throws. */
  private List<PoppedList> settle(List<String> popKeys, PollTally tally)
      throws SourceUnavailableException {
    if (!tally.lostReplies().isEmpty()) {
      logPossibleLoss(tally.lostReplies(), tally.lostCause());
    }
    if (tally.redisDown()) {
      availability.down(tally.cause());
    } else {
      availability.up();
    }
    if (tally.failedEntirely()) {
      throw new SourceUnavailableException("Redis pop failed for " + tally.failedKeys() + " of "
          + popKeys.size() + " keys at " + link.describe() + ": "
          + RedisAvailability.describe(tally.cause()), tally.cause());
    }
    if (tally.failedKeys() > 0) {
      LOG.debug("{} of {} keys failed this poll; returning the {} popped batches",
          tally.failedKeys(), popKeys.size(), tally.batches().size());
    }
    return tally.batches();
  }

  /** One line per poll: which keys, how many records each pop asked for, why. */
  private static void logPossibleLoss(List<ChunkPop> lost, Throwable cause) {
    long upTo = 0;
    StringBuilder keys = new StringBuilder();
    for (ChunkPop pop : lost) {
      upTo += pop.requested();
      keys.append(keys.length() == 0 ? "" : ", ").append(pop.key());
    }
    LOG.error("Lost the reply to {} pop(s) of up to {} records each ({}) from [{}]: Redis may have"
            + " removed up to {} records, which cannot be recovered in at_most_once mode",
        lost.size(), lost.get(0).requested(), RedisAvailability.describe(cause), keys, upTo);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("source closed");
    }
  }
}
