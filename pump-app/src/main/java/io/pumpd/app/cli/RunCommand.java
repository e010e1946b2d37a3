package io.pumpd.app.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pumpd.app.PumpRegistry;
import io.pumpd.app.http.HealthRoutes;
import io.pumpd.app.http.HealthServer;
import io.pumpd.app.lifecycle.LoggingSetup;
import io.pumpd.app.lifecycle.PumpDaemon;
import io.pumpd.app.lifecycle.Readiness;
import io.pumpd.app.lifecycle.SignalHandling;
import io.pumpd.app.redis.ElementDecoding;
import io.pumpd.app.redis.RedisRecordSource;
import io.pumpd.app.redis.SourceOptions;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.concurrent.FatalErrors;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.config.ConfigException;
import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.config.PumpConfiguration;
import io.pumpd.core.deadletter.FileDeadLetterQueue;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the daemon until SIGTERM/SIGINT: loads the config (exit 2 on errors), starts the health
 * server first (as Tyk does), opens the dead-letter file and Redis, initializes the pumps, starts
 * the purge loop, and on the first signal runs the bounded shutdown and returns its exit status.
 */
public final class RunCommand {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  private final SharedOptions options;

  public RunCommand(SharedOptions options) {
    this.options = options;
  }

  /** Blocks until the daemon stopped; returns the process exit status. */
  public int run() {
    Map<String, String> env = System.getenv();
    PumpRegistry registry = PumpRegistry.load();
    Optional<LoadedConfig> loaded = ConfigLoading.load(registry, options.conf(), env, System.err);
    if (loaded.isEmpty()) {
      return ConfigException.EXIT_STATUS;
    }
    PumpConfiguration config = loaded.get().configuration();
    configureLogging(config, env);
    LOG.info("## pumpd {} (Tyk Pump compatible) ##", VersionProvider.version());
    Threads.installDefaultHandler();
    warnUnlessExitOnOutOfMemory();
    loaded.get().configFile().ifPresentOrElse(
        f -> LOG.info("Config file: {}", f), () -> LOG.info("No config file read; env only"));
    loaded.get().warnings().forEach(w -> LOG.warn("Config: {}", w));

    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Readiness readiness = new Readiness();
    HealthServer http;
    try {
      http = new HealthServer(config.healthCheckEndpointAddress(), config.healthCheckEndpointPort(),
          new HealthRoutes(config.healthCheckEndpointName(), config.readinessEndpointName(),
              config.metricsEndpointName(), readiness, meters::scrape),
          HealthServer.Limits.DEFAULTS, meters);
    } catch (IOException e) {
      LOG.error("Cannot listen on health_check_endpoint_port {}: {}",
          config.healthCheckEndpointPort(), e.getMessage());
      return PumpDaemon.EXIT_FAILURE;
    }
    http.start();

    FileDeadLetterQueue deadLetters = new FileDeadLetterQueue(Path.of(config.deadLetterDir()), meters);
    RedisRecordSource source = RedisRecordSource.create(
        config.analyticsStorageConfig(), SourceOptions.from(config));
    LOG.info("Redis: {}", source.describe());
    if (!source.storeVersion(VersionProvider.version())) {
      LOG.warn("Error storing version in Redis (not fatal)");
    }
    long maxElementBytes = config.effectiveMaxElementBytes(Runtime.getRuntime().maxMemory());
    LOG.info("Elements up to {} bytes are decoded (max_element_bytes{}); larger ones are "
        + "dead-lettered", maxElementBytes, config.maxElementBytes() == 0 ? ": 1/16 of the heap" : "");
    ElementDecoding decoding =
        new ElementDecoding(new BatchDecoder(deadLetters, meters, maxElementBytes), source.keys());
    PumpDaemon daemon;
    try {
      daemon = PumpDaemon.create(config, loaded.get().pumps().values().stream().toList(), registry,
          source, deadLetters, decoding, readiness, meters);
    } catch (IllegalStateException e) {
      LOG.error("{}", e.getMessage());
      source.close();
      deadLetters.close();
      http.stop();
      return PumpDaemon.EXIT_FAILURE;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    AtomicInteger exit = new AtomicInteger(PumpDaemon.EXIT_OK);
    SignalHandling.install(signal -> {
      startWatchdog(config.gracefulShutdownTimeoutSeconds());
      exit.set(daemon.shutdown(signal));
      http.stop();
      LOG.info("pumpd stopped (exit status {})", exit.get());
      stopped.countDown();
    });
    daemon.start();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return PumpDaemon.EXIT_FAILURE;
    }
    return exit.get();
  }

  /**
   * The launcher, the systemd unit and the image start the JVM with {@code
   * -XX:+ExitOnOutOfMemoryError}; a JVM started another way gets a warning, and only the daemon's
   * own checks ({@link FatalErrors}) end it on an out-of-memory error.
   */
  private static void warnUnlessExitOnOutOfMemory() {
    try {
      HotSpotDiagnosticMXBean hotspot =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (hotspot != null && !"true".equals(hotspot.getVMOption("ExitOnOutOfMemoryError").getValue())) {
        LOG.warn("The JVM runs without -XX:+ExitOnOutOfMemoryError (bin/pump sets it): an "
            + "out-of-memory error in a client library's thread might not end the process");
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot read the JVM's ExitOnOutOfMemoryError option: {}", e.toString());
    }
  }

  private void configureLogging(PumpConfiguration config, Map<String, String> env) {
    String level = options.debug() ? "debug"
        : env.getOrDefault("TYK_LOGLEVEL", config.logLevel());
    LoggingSetup.format(env.getOrDefault("TYK_LOGFORMAT", config.logFormat()));
    LoggingSetup.level(level);
  }

  /**
   * Ends the process if the shutdown hangs past its deadline (a client library that ignores
   * interrupts), so an orchestrator never waits for ever.
   */
  private static void startWatchdog(int seconds) {
    Threads.start("shutdown-watchdog", () -> {
      try {
        Thread.sleep((seconds + 5) * 1000L);
        LOG.error("Shutdown still running {} s after its deadline; exiting", 5);
        Runtime.getRuntime().halt(PumpDaemon.EXIT_FAILURE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}
