package io.pumpd.app.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.app.PumpRegistry;
import io.pumpd.app.redis.stream.StreamSource;
import io.pumpd.app.redis.ListSource;
import io.pumpd.app.redis.RedisRecordSource;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.config.DeliveryConfig;
import io.pumpd.core.config.LoadedPump;
import io.pumpd.core.config.PumpConfiguration;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.delivery.BatchDecoding;
import io.pumpd.core.delivery.DeliveryEngine;
import io.pumpd.core.delivery.DeliverySource;
import io.pumpd.core.delivery.RecordKind;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.engine.RecordPreparer;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.PumpFactory;
import io.pumpd.core.pump.UptimeCapable;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: pumps initialised, the delivery engine running on the source the delivery
 * guarantee names ({@link ListSource} for {@code at_most_once}, {@link StreamSource} for {@code
 * at_least_once}, both on the one Redis client of a {@link RedisRecordSource}), and the ordered,
 * bounded shutdown, the same for both.
 *
 * <p>Lifecycle: {@link #start} once; {@link #shutdown} once (later calls return the first result).
 * Shutdown order: readiness goes false; the engine stops reading and hands over what it must (all
 * records already popped, in {@code at_most_once}); every pump is flushed in parallel; what the
 * pumps confirmed is acknowledged; pumps are closed; then the source, Redis and the dead-letter
 * file. All within {@code graceful_shutdown_timeout_duration}; past it the abandoned steps are
 * logged and the exit status is 1. Records a durable source still holds are not abandoned: they
 * stay in Redis for redelivery.
 */
public final class PumpDaemon {
  private static final Logger LOG = LoggerFactory.getLogger(PumpDaemon.class);

  /** Exit status of a clean stop. */
  public static final int EXIT_OK = 0;
  /** Exit status when the shutdown deadline passed or the daemon could not start. */
  public static final int EXIT_FAILURE = 1;

  private final PumpConfiguration config;
  private final RedisRecordSource redis;
  private final DeliverySource source;
  private final DeadLetterQueue deadLetters;
  private final Readiness readiness;
  private final DeliveryEngine engine;
  private final PumpInitRetry initRetry;
  private final AtomicBoolean shutdownStarted = new AtomicBoolean();
  private volatile int exitCode = -1;

  private PumpDaemon(PumpConfiguration config, RedisRecordSource redis, DeliverySource source,
      DeadLetterQueue deadLetters, Readiness readiness, DeliveryEngine engine,
      PumpInitRetry initRetry) {
    this.config = config;
    this.redis = redis;
    this.source = source;
    this.deadLetters = deadLetters;
    this.readiness = readiness;
    this.engine = engine;
    this.initRetry = initRetry;
  }

  /**
   * Creates and initialises every pump and wires the delivery. A pump whose {@code init} fails
   * is not dropped: its runner stays, not initialised (readiness says so), and its {@code init}
   * is retried in the background ({@link PumpInitRetry}); in {@code at_least_once} its consumer
   * group keeps its share of every stream meanwhile, so it catches up once initialised. Does not
   * start delivering.
   *
   * @param decoding turns the elements of a batch into records (msgpack or protobuf, by key)
   * @throws IllegalStateException no pump could be initialised ("No pumps configured")
   */
  public static PumpDaemon create(
      PumpConfiguration config,
      List<LoadedPump> pumps,
      PumpRegistry registry,
      RedisRecordSource redis,
      DeadLetterQueue deadLetters,
      BatchDecoding decoding,
      Readiness readiness,
      MeterRegistry meters) {
    List<PumpRunner> runners = new ArrayList<>();
    Map<PumpRunner, PumpInitRetry.Init> notInitialised = new LinkedHashMap<>();
    createRunners(config, pumps, registry, deadLetters, meters, runners, notInitialised);
    if (runners.stream().noneMatch(PumpRunner::isInitialised)) {
      runners.forEach(PumpRunner::close);
      throw new IllegalStateException("No pumps configured (every configured pump failed to initialize)");
    }
    boolean uptimeTaken = runners.stream().anyMatch(RecordKind.UPTIME::acceptedBy);
    if (!config.dontPurgeUptimeData() && !uptimeTaken) {
      LOG.info("Uptime data is left in Redis: no configured pump accepts uptime records "
          + "(Tyk's Mongo/SQL uptime pumps are not implemented); set dont_purge_uptime_data to "
          + "silence this");
    }
    DeliverySource source = config.atLeastOnce()
        ? StreamSource.create(config, redis.link(), redis.commandTimeout(), uptimeTaken,
            meters)
        : new ListSource(redis, chunkSize(config), Duration.ofSeconds(config.purgeDelaySeconds()),
            !config.dontPurgeUptimeData());
    DeliveryEngine engine = new DeliveryEngine(source, decoding, runners, deadLetters,
        engineSettings(config), meters);
    readiness.addCheck(() -> {
      List<String> r = new ArrayList<>();
      for (PumpRunner runner : engine.runners()) {
        runner.readiness().ifPresent(reason -> r.add("pump " + runner.name() + ": " + reason));
      }
      deadLetters.problem().ifPresent(p -> r.add("dead-letter store: " + p));
      Threads.died().forEach(t -> r.add("thread died: " + t));
      return r;
    });
    readiness.addCheck(engine::notReadyReasons);
    readiness.addDetail("delivery", engine::status);
    PumpInitRetry initRetry = new PumpInitRetry(engine::pumpInitialised);
    notInitialised.forEach(initRetry::retry);
    return new PumpDaemon(config, redis, source, deadLetters, readiness, engine, initRetry);
  }

  /** Records popped per key per read in {@code at_most_once}: {@code purge_chunk}, or ours. */
  private static int chunkSize(PumpConfiguration config) {
    return config.purgeChunk() > 0
        ? (int) Math.min(Integer.MAX_VALUE, config.purgeChunk())
        : config.internalChunkSize();
  }

  /** The engine's settings from {@code delivery.*} and {@code purge_delay}. */
  static DeliveryEngine.Settings engineSettings(PumpConfiguration config) {
    DeliveryConfig d = config.delivery();
    Duration purgeDelay = Duration.ofSeconds(config.purgeDelaySeconds());
    Duration poll = Duration.ofMillis(d.pollIntervalMs());
    return new DeliveryEngine.Settings(d.maxInFlightBytes(),
        Duration.ofSeconds(d.confirmTimeoutSeconds()), Backoff.DEFAULT,
        poll.compareTo(purgeDelay) < 0 ? poll : purgeDelay,
        purgeDelay.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : purgeDelay);
  }

  private static void createRunners(PumpConfiguration config, List<LoadedPump> pumps,
      PumpRegistry registry, DeadLetterQueue deadLetters, MeterRegistry meters,
      List<PumpRunner> runners, Map<PumpRunner, PumpInitRetry.Init> notInitialised) {
    Duration purgeDelay = Duration.ofSeconds(config.purgeDelaySeconds());
    for (LoadedPump p : pumps) {
      Duration timeout = Duration.ofSeconds(Math.max(0, p.entry().timeoutSeconds()));
      RecordPreparer preparer = new RecordPreparer(
          p.entry(), config.maxRecordSize(), config.omitDetailedRecording());
      PumpInitRetry.Init init = () -> init(createPump(registry, p), p, timeout, meters);
      Pump pump = createPump(registry, p);
      boolean uptime = pump instanceof UptimeCapable;
      try {
        pump = init(pump, p, timeout, meters);
      } catch (PumpException e) {
        LOG.error("Pump init error for {} ({}): {}; retrying in the background{}", p.name(),
            p.type(), e.getMessage(), config.atLeastOnce()
                ? " (its records wait in Redis meanwhile)"
                : " (at_most_once: records taken meanwhile are not delivered to it)");
        PumpRunner r = new PumpRunner(p.name(), p.type(), null, uptime, preparer, timeout,
            purgeDelay, deadLetters, meters);
        r.initFailed(e.getMessage());
        runners.add(r);
        notInitialised.put(r, init);
        continue;
      }
      if (timeout.isZero()) {
        LOG.info("Pump {} has no timeout: a hung {} backend would stall the purge loop; "
            + "consider setting pumps.{}.timeout", p.name(), p.type(), p.name());
      } else if (timeout.compareTo(purgeDelay) > 0) {
        LOG.warn("Pump {} timeout ({} s) is longer than purge_delay ({} s)", p.name(),
            timeout.toSeconds(), purgeDelay.toSeconds());
      }
      runners.add(new PumpRunner(p.name(), p.type(), pump, uptime, preparer, timeout, purgeDelay,
          deadLetters, meters));
      LOG.info("Init Pump: {} ({})", p.name(), p.type());
    }
  }

  /** Initialises {@code pump}; a pump whose init fails is closed again. */
  private static Pump init(Pump pump, LoadedPump p, Duration timeout, MeterRegistry meters)
      throws PumpException {
    try {
      pump.init(new PumpContext(p.name(), p.type(), timeout, meters));
      return pump;
    } catch (PumpException | RuntimeException e) {
      closeQuietly(pump);
      throw e instanceof PumpException pe ? pe : new PumpException(String.valueOf(e.getMessage()), e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Pump createPump(PumpRegistry registry, LoadedPump p) {
    PumpFactory factory = registry.factory(p.type())
        .orElseThrow(() -> new IllegalStateException("unknown pump type " + p.type()));
    return factory.create(p.name(), p.settings());
  }

  private static void closeQuietly(Pump pump) {
    try {
      pump.close();
    } catch (RuntimeException e) {
      LOG.debug("closing a pump that failed init: {}", e.toString());
    }
  }

  /** Starts the delivery engine and marks the daemon ready (subject to Redis and pump health). */
  public void start() {
    readiness.markInitialized();
    engine.start();
    LOG.info("Starting {} @{} s, {} pumps, delivery {}",
        source.durable() ? "delivery engine" : "purge loop", config.purgeDelaySeconds(),
        engine.runners().size(), config.deliveryGuarantee());
  }

  /** The pump runners (for metrics and tests). */
  public List<PumpRunner> runners() {
    return engine.runners();
  }

  /**
   * Stops the daemon in order, bounded by {@code graceful_shutdown_timeout_duration}.
   *
   * @param cause what triggered it, for the log ("SIGTERM")
   * @return {@link #EXIT_OK}, or {@link #EXIT_FAILURE} when something was abandoned
   */
  public int shutdown(String cause) {
    if (!shutdownStarted.compareAndSet(false, true)) {
      return exitCode;
    }
    Duration budget = Duration.ofSeconds(config.gracefulShutdownTimeoutSeconds());
    Deadline deadline = Deadline.after(budget);
    LOG.info("Shutdown began ({}): readiness off, finishing the current cycle, then flushing {} "
        + "pumps; deadline {} s", cause, engine.runners().size(), budget.toSeconds());
    readiness.markDraining();
    initRetry.stop();
    long deliveredBefore = delivered();
    DeliveryEngine.StopReport report = engine.stop(deadline);
    Map<String, Map<String, Object>> status = engine.status();
    for (PumpRunner r : engine.runners()) {
      DeliveryEngine.Left left =
          report.unacknowledged().getOrDefault(r.name(), new DeliveryEngine.Left(0, 0));
      Object backlog = status.getOrDefault(r.name(), Map.of()).get("backlog_records");
      LOG.info("Pump {} flushed: {} records delivered since start, {} dead-lettered{}", r.name(),
          r.deliveredCount(), r.failedCount(), source.durable()
              ? "; " + left.batches() + " entries (" + left.records() + " records) it took left "
                  + "in Redis for redelivery; backlog " + backlog + " records not confirmed"
              : ", " + r.pending() + " unconfirmed");
    }
    long deliveredAtStop = delivered() - deliveredBefore;
    List<String> abandoned = new ArrayList<>();
    if (!report.complete()) {
      abandoned.add(source.durable() ? "the delivery in progress" : "the purge cycle in progress");
    }
    for (String pump : report.unflushed()) {
      if (source.durable()) {
        LOG.warn("Pump {}: flush did not complete; its unconfirmed records stay in Redis and are "
            + "delivered again later", pump);
      } else {
        abandoned.add("flush of pump " + pump);
      }
    }
    engine.closePumps(deadline.min(Duration.ofSeconds(5)))
        .forEach(n -> abandoned.add("close of pump " + n));
    long unconfirmed = engine.runners().stream().mapToLong(PumpRunner::pending).sum();
    source.close();
    redis.close();
    deadLetters.close();
    long leftEntries = report.unacknowledged().values().stream()
        .mapToInt(DeliveryEngine.Left::batches).sum();
    long leftRecords = report.unacknowledged().values().stream()
        .mapToLong(DeliveryEngine.Left::records).sum();
    if (abandoned.isEmpty() && (source.durable() || unconfirmed == 0)) {
      LOG.info("Shutdown complete: {} records delivered during the shutdown, {} dead-letter "
          + "entries written since start; {} entries ({} records) taken by this daemon left in "
          + "Redis for redelivery", deliveredAtStop, deadLetters.written(), leftEntries,
          leftRecords);
      exitCode = EXIT_OK;
    } else {
      LOG.warn("Shutdown incomplete after {} s: abandoned {}; {}", budget.toSeconds(),
          abandoned.isEmpty() ? "nothing" : String.join(", ", abandoned),
          source.durable() ? "unconfirmed records stay in Redis"
              : unconfirmed + " records unconfirmed");
      exitCode = EXIT_FAILURE;
    }
    return exitCode;
  }

  private long delivered() {
    return engine.runners().stream().mapToLong(PumpRunner::deliveredCount).sum();
  }
}
