package io.pumpd.app.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.app.PumpRegistry;
import io.pumpd.app.delivery.AtLeastOnceDelivery;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.config.LoadedPump;
import io.pumpd.core.config.PumpConfiguration;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.engine.Dispatcher;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.engine.PurgeLoop;
import io.pumpd.core.engine.RecordPreparer;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.PumpFactory;
import io.pumpd.core.pump.UptimeCapable;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.source.RecordSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: pumps initialized, the purge loop cycling, and the ordered, bounded shutdown.
 *
 * <p>Lifecycle: {@link #start} once; {@link #shutdown} once (later calls return the first result).
 * Shutdown order: readiness goes false; no new cycle starts and the current one completes; every
 * pump is flushed in parallel; pumps are closed; then the source (Redis) and the dead-letter file.
 * All within {@code graceful_shutdown_timeout_duration}; past it the abandoned steps are logged and
 * the exit status is 1.
 */
public final class PumpDaemon {
  private static final Logger LOG = LoggerFactory.getLogger(PumpDaemon.class);

  /** Exit status of a clean stop. */
  public static final int EXIT_OK = 0;
  /** Exit status when the shutdown deadline passed or the daemon could not start. */
  public static final int EXIT_FAILURE = 1;

  private final PumpConfiguration config;
  private final RecordSource source;
  private final DeadLetterQueue deadLetters;
  private final Readiness readiness;
  private final Dispatcher dispatcher;
  private final PurgeLoop loop;
  /** The at_least_once engine; null in at_most_once mode (then {@link #loop} runs). */
  private final AtLeastOnceDelivery delivery;
  private final PumpInitRetry initRetry;
  private final AtomicBoolean shutdownStarted = new AtomicBoolean();
  private volatile int exitCode = -1;

  private PumpDaemon(PumpConfiguration config, RecordSource source, DeadLetterQueue deadLetters,
      Readiness readiness, Dispatcher dispatcher, PurgeLoop loop, AtLeastOnceDelivery delivery,
      PumpInitRetry initRetry) {
    this.initRetry = initRetry;
    this.config = config;
    this.source = source;
    this.deadLetters = deadLetters;
    this.readiness = readiness;
    this.dispatcher = dispatcher;
    this.loop = loop;
    this.delivery = delivery;
  }

  /** Turns a source batch into records, handling bad elements itself. */
  public interface Decoders {
    PurgeLoop.Decoder<AnalyticsRecord> records();

    PurgeLoop.Decoder<UptimeRecord> uptime();
  }

  /**
   * Creates and initializes every pump and wires the delivery. A pump whose {@code init} fails
   * is not dropped: its runner stays, not initialised (readiness says so), and its {@code init}
   * is retried in the background ({@link PumpInitRetry}); in {@code at_least_once} its consumer
   * group keeps its share of every stream meanwhile, so it catches up once initialised. Does not
   * start delivering.
   *
   * @param maxElementBytes the element limit ({@code max_element_bytes}, resolved)
   * @throws IllegalStateException no pump could be initialized ("No pumps configured")
   */
  public static PumpDaemon create(
      PumpConfiguration config,
      List<LoadedPump> pumps,
      PumpRegistry registry,
      RecordSource source,
      DeadLetterQueue deadLetters,
      Decoders decoders,
      Readiness readiness,
      MeterRegistry meters,
      long maxElementBytes) {
    Duration purgeDelay = Duration.ofSeconds(config.purgeDelaySeconds());
    List<PumpRunner> runners = new ArrayList<>();
    Map<PumpRunner, PumpInitRetry.Init> notInitialised = new LinkedHashMap<>();
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
    if (runners.stream().noneMatch(PumpRunner::isInitialised)) {
      runners.forEach(PumpRunner::close);
      throw new IllegalStateException("No pumps configured (every configured pump failed to initialize)");
    }
    Dispatcher dispatcher = new Dispatcher(runners);
    boolean purgeUptime = !config.dontPurgeUptimeData() && dispatcher.anyAcceptsUptime();
    if (!config.dontPurgeUptimeData() && !purgeUptime) {
      LOG.info("Uptime data is left in Redis: no configured pump accepts uptime records "
          + "(Tyk's Mongo/SQL uptime pumps are not implemented); set dont_purge_uptime_data to "
          + "silence this");
    }
    readiness.addCheck(() -> {
      List<String> r = new ArrayList<>();
      for (PumpRunner runner : dispatcher.runners()) {
        runner.readiness().ifPresent(reason -> r.add("pump " + runner.name() + ": " + reason));
      }
      deadLetters.problem().ifPresent(p -> r.add("dead-letter store: " + p));
      Threads.died().forEach(t -> r.add("thread died: " + t));
      return r;
    });
    if (config.atLeastOnce()) {
      AtLeastOnceDelivery delivery =
          AtLeastOnceDelivery.create(config, runners, deadLetters, meters, maxElementBytes);
      readiness.addCheck(delivery::notReadyReasons);
      readiness.addDetail("delivery", delivery::status);
      PumpInitRetry initRetry = new PumpInitRetry(delivery::pumpInitialised);
      notInitialised.forEach(initRetry::retry);
      return new PumpDaemon(config, source, deadLetters, readiness, dispatcher, null, delivery,
          initRetry);
    }
    int chunk = config.purgeChunk() > 0
        ? (int) Math.min(Integer.MAX_VALUE, config.purgeChunk())
        : config.internalChunkSize();
    PurgeLoop loop = new PurgeLoop(source, decoders.records(), decoders.uptime(), dispatcher,
        new PurgeLoop.Settings(purgeDelay, chunk, config.maxRecordsPerCycle(), purgeUptime), meters);
    readiness.addCheck(() -> source.notReadyReason().map(List::of).orElseGet(List::of));
    readiness.addCheck(() -> dispatcher.runners().stream()
        .flatMap(r -> r.failing().map(f -> "pump " + r.name() + ": " + f).stream()).toList());
    PumpInitRetry initRetry = new PumpInitRetry(name -> { });
    notInitialised.forEach(initRetry::retry);
    return new PumpDaemon(config, source, deadLetters, readiness, dispatcher, loop, null, initRetry);
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

  /**
   * Starts the purge loop ({@code at_most_once}) or the delivery engine ({@code at_least_once})
   * and marks the daemon ready (subject to Redis and pump health).
   */
  public void start() {
    readiness.markInitialized();
    if (delivery != null) {
      delivery.start();
    } else {
      loop.start();
    }
    LOG.info("Starting {} @{} s, {} pumps, delivery {}",
        delivery != null ? "delivery engine" : "purge loop", config.purgeDelaySeconds(),
        dispatcher.runners().size(), config.deliveryGuarantee());
  }

  /** The pump runners (for metrics and tests). */
  public List<PumpRunner> runners() {
    return dispatcher.runners();
  }

  /** The purge loop (tests drive cycles through it); null in {@code at_least_once} mode. */
  public PurgeLoop loop() {
    return loop;
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
        + "pumps; deadline {} s", cause, dispatcher.runners().size(), budget.toSeconds());
    readiness.markDraining();
    initRetry.stop();
    if (delivery != null) {
      exitCode = shutdownAtLeastOnce(deadline, budget);
      return exitCode;
    }
    List<String> abandoned = new ArrayList<>();

    if (!loop.stop(deadline)) {
      abandoned.add("the purge cycle in progress");
    }
    long pendingBefore = dispatcher.runners().stream().mapToLong(PumpRunner::pending).sum();
    long deliveredBefore = dispatcher.runners().stream().mapToLong(PumpRunner::deliveredCount).sum();
    List<String> unflushed = dispatcher.flushAll(deadline);
    for (PumpRunner r : dispatcher.runners()) {
      LOG.info("Pump {} flushed: {} records delivered since start, {} dead-lettered, {} unconfirmed",
          r.name(), r.deliveredCount(), r.failedCount(), r.pending());
    }
    long deliveredAtFlush = dispatcher.runners().stream().mapToLong(PumpRunner::deliveredCount).sum()
        - deliveredBefore;
    unflushed.forEach(n -> abandoned.add("flush of pump " + n));
    List<String> stuck = dispatcher.closeAll(deadline.min(Duration.ofSeconds(5)));
    stuck.forEach(n -> abandoned.add("close of pump " + n));
    long unconfirmed = dispatcher.runners().stream().mapToLong(PumpRunner::pending).sum();
    source.close();
    deadLetters.close();

    if (abandoned.isEmpty() && unconfirmed == 0) {
      LOG.info("Shutdown complete: {} buffered records flushed at shutdown ({} were pending), "
          + "{} dead-letter entries written since start", deliveredAtFlush, pendingBefore,
          deadLetters.written());
      exitCode = EXIT_OK;
    } else {
      LOG.warn("Shutdown incomplete after {} s: abandoned {}; {} records unconfirmed", budget.toSeconds(),
          abandoned.isEmpty() ? "nothing" : String.join(", ", abandoned), unconfirmed);
      exitCode = EXIT_FAILURE;
    }
    return exitCode;
  }

  /**
   * {@code at_least_once}: the engine stops reading, flushes every pump and acknowledges what they
   * delivered; entries still unconfirmed (a sink down, a flush that did not finish) stay in Redis
   * and are delivered again by the next start or another daemon, so they are not abandoned: the
   * exit status is 0 when everything finished within the deadline.
   */
  private int shutdownAtLeastOnce(Deadline deadline, Duration budget) {
    AtLeastOnceDelivery.StopReport report = delivery.stop(deadline);
    Map<String, Map<String, Object>> status = delivery.status();
    for (PumpRunner r : dispatcher.runners()) {
      AtLeastOnceDelivery.Left left =
          report.unacknowledged().getOrDefault(r.name(), new AtLeastOnceDelivery.Left(0, 0));
      Object backlog = status.getOrDefault(r.name(), Map.of()).getOrDefault("backlog_records", 0);
      LOG.info("Pump {} flushed: {} records delivered since start, {} dead-lettered; {} entries "
          + "({} records) it took left in Redis for redelivery; backlog {} records not confirmed",
          r.name(), r.deliveredCount(), r.failedCount(), left.entries(), left.records(), backlog);
    }
    report.unflushed().forEach(n -> LOG.warn("Pump {}: flush did not complete; its unconfirmed "
        + "records stay in Redis and are delivered again later", n));
    List<String> stuck = dispatcher.closeAll(deadline.min(Duration.ofSeconds(5)));
    delivery.close();
    source.close();
    deadLetters.close();
    if (report.complete() && stuck.isEmpty()) {
      LOG.info("Shutdown complete: {} dead-letter entries written since start; {} entries ({} "
          + "records) taken by this daemon left in Redis for redelivery", deadLetters.written(),
          report.unacknowledged().values().stream().mapToInt(AtLeastOnceDelivery.Left::entries)
              .sum(),
          report.unacknowledged().values().stream().mapToLong(AtLeastOnceDelivery.Left::records)
              .sum());
      return EXIT_OK;
    }
    LOG.warn("Shutdown incomplete after {} s: {}{}; unconfirmed records stay in Redis",
        budget.toSeconds(), report.complete() ? "" : "the delivery engine did not stop in time",
        stuck.isEmpty() ? "" : (report.complete() ? "" : ", ") + "close of pumps " + stuck);
    return EXIT_FAILURE;
  }
}
