package io.pumpd.sinks.elasticsearch;

import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyk's {@code elasticsearch} pump on the official Java client: Tyk's documents and index names
 * ({@link ElasticsearchDocumentMapper}), delivered through a {@link BulkWriter} (default) or a
 * {@link SyncWriter} ({@code disable_bulk}). See {@link Pump} for the lifecycle, threading and
 * delivery contract; in short, a {@code write} stage completes when Elasticsearch has acknowledged
 * every document of the batch or the document is failed with the reason (rejected by Elasticsearch,
 * or unanswered until the write's deadline or the pump's close).
 *
 * <p>{@link #init} does no network I/O: an unreachable cluster does not delay the daemon's start.
 * A background probe ({@code GET _cluster/health} every {@value #PROBE_SECONDS} s) and the outcome
 * of every request keep {@link #readiness} current, and the index template is installed as soon as
 * the cluster answers (documents wait for it).
 *
 * <p>{@code use_sniffing} is accepted and ignored (logged): requests are spread round-robin over
 * the configured URLs instead of discovered nodes.
 */
public final class ElasticsearchPump implements Pump {
  private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchPump.class);
  static final int PROBE_SECONDS = 5;

  private final String name;
  private final ElasticsearchSettings settings;
  private ElasticsearchConnection connection;
  private ScheduledExecutorService scheduler;
  private ElasticsearchPumpMetrics metrics;
  private Reachability reach;
  private TemplateGate gate;
  private DocumentWriter writer;
  private volatile boolean closed;

  public ElasticsearchPump(String name, ElasticsearchSettings settings) {
    this.name = name;
    this.settings = settings;
  }

  @Override
  public void init(PumpContext context) throws PumpException {
    logSettings();
    connection = ElasticsearchConnection.open(settings, name);
    scheduler = Executors.newSingleThreadScheduledExecutor(Threads.factory("pumpd-es-" + name));
    metrics = new ElasticsearchPumpMetrics(context.meterRegistry(), context.tags());
    reach = new Reachability(name, "elasticsearch not contacted yet");
    gate =
        new TemplateGate(
            settings.installTemplate() ? new IndexTemplateInstaller(settings.indexName(), settings.mcpIndexName()) : null,
            connection.async(),
            name);
    ElasticsearchDocumentMapper mapper = ElasticsearchDocumentMapper.of(settings);
    writer =
        settings.disableBulk()
            ? new SyncWriter(name, mapper, connection.async(), gate, reach, metrics)
            : new BulkWriter(name, settings.bulkConfig(), mapper, connection.async(), gate, reach, metrics, scheduler);
    scheduler.scheduleWithFixedDelay(this::probe, 0, PROBE_SECONDS, TimeUnit.SECONDS);
  }

  private void logSettings() {
    LOG.info(
        "elasticsearch pump {}: {} version {}, index {}{}{}, {}",
        name,
        ElasticsearchUrls.masked(settings.urls()),
        settings.version(),
        settings.indexName(),
        settings.rollingIndex() ? "-YYYY.MM.DD (from each record's timestamp, UTC)" : "",
        settings.mcpIndexName().isEmpty() ? "" : ", MCP records to " + settings.mcpIndexName(),
        settings.disableBulk()
            ? "one request per record (disable_bulk)"
            : "bulk: " + settings.bulkConfig().bulkActions() + " documents / " + settings.bulkConfig().bulkSize()
                + " bytes / every " + settings.bulkConfig().flushInterval().toMillis() + " ms, "
                + settings.bulkConfig().workers() + " concurrent requests");
    if (settings.versionUnset()) {
      LOG.info("elasticsearch pump {}: version not set, using \"8\" (set \"7\" for a 7.x cluster)", name);
    }
    if (settings.useSniffing()) {
      LOG.warn("elasticsearch pump {}: use_sniffing is not supported and ignored; requests go round-robin to the"
          + " configured URLs", name);
    }
  }

  /** Keeps readiness current and opens the template gate once the cluster answers. */
  private void probe() {
    if (closed) {
      return;
    }
    try {
      connection
          .async()
          .cluster()
          .health(h -> h.timeout(t -> t.time(Duration.ofSeconds(PROBE_SECONDS).toSeconds() + "s")))
          .whenComplete(
              (ok, err) -> {
                if (err == null) {
                  reach.reachable();
                } else if (BulkFailures.status(err) == 401) {
                  reach.unreachable("elasticsearch refused the credentials: " + BulkFailures.describe(err));
                  return;
                } else if (BulkFailures.answered(err)) {
                  reach.reachable(); // e.g. 403: no monitor privilege, but the cluster is there
                } else {
                  reach.unreachable(
                      "elasticsearch unreachable at " + ElasticsearchUrls.masked(settings.urls()) + ": "
                          + BulkFailures.describe(err));
                  return;
                }
                if (!gate.isOpen()) {
                  gate.ready();
                }
              });
    } catch (RuntimeException e) {
      LOG.debug("elasticsearch pump {}: health probe failed: {}", name, e.toString());
    }
  }

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline) throws PumpException {
    if (closed || writer == null) {
      throw new PumpException("elasticsearch pump " + name + (closed ? " is closed" : " is not initialized"));
    }
    return writer.write(records, deadline);
  }

  @Override
  public void flush(Deadline deadline) throws PumpException {
    if (writer != null && !closed) {
      writer.flush(deadline);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (writer != null) {
      writer.close();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    if (connection != null) {
      try {
        connection.close();
      } catch (IOException e) {
        LOG.debug("elasticsearch pump {}: closing the client: {}", name, e.toString());
      }
    }
    if (metrics != null) {
      metrics.remove();
    }
    LOG.info("elasticsearch pump {}: closed", name);
  }

  @Override
  public Optional<String> readiness() {
    if (closed) {
      return Optional.of("closed");
    }
    return reach == null ? Optional.of("not initialized") : reach.readiness();
  }
}
