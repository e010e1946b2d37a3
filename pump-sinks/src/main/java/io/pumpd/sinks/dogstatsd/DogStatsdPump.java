package io.pumpd.sinks.dogstatsd;

import com.timgroup.statsd.NonBlockingStatsDClient;
import com.timgroup.statsd.StatsDClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.core.concurrent.Causes;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.InterruptibleWrite;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RenderedBatch;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.pump.WriteResult.RecordFailure;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.sinks.dogstatsd.DogStatsdMetricMapper.DogStatsdMetric;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyk's {@code dogstatsd} pump on java-dogstatsd-client: one {@code <namespace>.request_time}
 * histogram sample per record, with Tyk's tags and the constant {@code tyk-pump} tag, over UDP or a
 * unix datagram socket ({@code reference/tyk-pump.md} §5.2).
 *
 * <h2>Delivery</h2>
 *
 * DogStatsD has no acknowledgements, so "delivered" means <em>written to the socket</em>. Every
 * metric of a batch is rendered before the first is enqueued; a record that cannot be rendered is
 * failed alone ({@link RenderedBatch}). The
 * client runs in blocking mode (a full queue blocks {@code write} instead of dropping) with
 * aggregation off; {@code write} enqueues the batch and returns a stage that completes once the
 * client's sender thread has written every metric of the batch to the socket (see {@link
 * DeliveryLedger}). Records dropped by {@code sample_rate} count as delivered, as in Tyk. A metric
 * line the client could not send (longer than the packet size) is rejected before it is enqueued
 * and reported as a failure. A socket error caused by the receiver (busy after a few quick tries,
 * gone, refusing) fails the metrics it hit as {@linkplain RecordFailure#retriable() retriable}, so
 * {@code at_least_once} offers the whole batch again (its metrics that did go out are then sent
 * twice); only a datagram the socket calls too long fails its records for good (see {@link
 * DatagramFramingChannel}).
 *
 * <h2>Shutdown</h2>
 *
 * {@link #flush} waits, within its deadline, until every enqueued metric has been written; {@link
 * #close} stops the client (which in blocking mode drains its queues first) on a separate thread
 * for at most {@value #CLOSE_TIMEOUT_SECONDS} s. Unlike Tyk, nothing queued is lost in unbuffered
 * mode.
 *
 * <h2>Threading</h2>
 *
 * As {@link Pump}: {@code write}/{@code flush} from the pump's runner thread, {@code close} from the
 * shutdown thread, {@code readiness} from anywhere. {@code write} blocks only while the client's
 * queue (4096 metrics) is full, so it leaves its deadline to the caller; {@link #close} interrupts
 * such a write, whose batch then fails as retriable (its stage completes exceptionally). One known
 * limit: the client swallows an interrupt that arrives while it blocks on a full queue and drops
 * that metric unseen; the interrupted batch is not confirmed anyway, but a {@link #flush} before
 * close then reports that metric as not written.
 */
public final class DogStatsdPump implements Pump {
  private static final Logger LOG = LoggerFactory.getLogger(DogStatsdPump.class);

  /** Longest {@link #close} waits for the client to stop. */
  static final long CLOSE_TIMEOUT_SECONDS = 5;

  /** Room left in a datagram for what the client appends that the pump does not render itself. */
  private static final int LINE_TAIL_ALLOWANCE = 48;

  private final String name;
  private final DogStatsdSettings settings;
  private final UnaryOperator<String> env;
  private final DoubleSupplier random;
  private final DogStatsdMetricMapper mapper;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final InterruptibleWrite inWrite = new InterruptibleWrite();
  private Duration telemetryInterval = Duration.ofSeconds(10);

  private DogStatsdAddress address;
  private int maxPacketBytes;
  private int fixedLineBytes;
  private double clientRate;
  private ExecutorService completions;
  private DeliveryLedger ledger;
  private volatile TrackingStatsDClient client;
  private volatile String notReadyReason = "not initialised";
  private volatile String lastSendFailure;

  private Counter sentCounter;
  private Counter sampledOutCounter;
  private Counter sendFailedCounter;
  private Counter sendRetriedCounter;
  private Counter oversizeCounter;
  private Counter droppedCounter;

  /** A pump reading {@code DD_*} variables from the process environment. */
  public DogStatsdPump(String name, DogStatsdSettings settings) {
    this(name, settings, System::getenv, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param env environment lookup for the {@code DD_AGENT_HOST}/{@code DD_*} fallbacks
   * @param random uniform [0, 1) source for {@code sample_rate}
   */
  DogStatsdPump(
      String name, DogStatsdSettings settings, UnaryOperator<String> env, DoubleSupplier random) {
    this.name = name;
    this.settings = settings;
    this.env = env;
    this.random = random;
    this.mapper = new DogStatsdMetricMapper(DogStatsdTag.resolve(settings.tags()));
  }

  /** Tests: how often the client sends its telemetry when {@code enable_telemetry} is on (10 s). */
  DogStatsdPump telemetryInterval(Duration interval) {
    this.telemetryInterval = interval;
    return this;
  }

  @Override
  public void init(PumpContext context) throws PumpException {
    try {
      address = DogStatsdAddress.resolve(settings.address(), env);
    } catch (IllegalArgumentException e) {
      throw new PumpException("dogstatsd pump " + name + ": " + e.getMessage(), e);
    }
    maxPacketBytes =
        address.isUnixSocket()
            ? NonBlockingStatsDClient.DEFAULT_UDS_MAX_PACKET_SIZE_BYTES
            : NonBlockingStatsDClient.DEFAULT_UDP_MAX_PACKET_SIZE_BYTES;
    clientRate = settings.sampleRate() < 1 ? settings.sampleRate() : Double.NaN;
    fixedLineBytes = fixedLineBytes();
    registerMeters(context.meterRegistry(), context);
    completions = Executors.newSingleThreadExecutor(Threads.factory("dogstatsd-" + name + "-ack"));
    ledger = new DeliveryLedger(completions);
    LOG.info(
        "dogstatsd pump {}: sending {}.{} to {} (sample_rate {}, {} metric(s) per datagram, telemetry {})",
        name,
        settings.namespace(),
        DogStatsdMetricMapper.METRIC_NAME,
        address,
        settings.sampleRate(),
        settings.maxMessagesPerDatagram(),
        settings.enableTelemetry() ? "on" : "off");
    connect();
  }

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
      throws PumpException {
    if (closed.get()) {
      throw new PumpException("dogstatsd pump " + name + " is closed");
    }
    inWrite.enter();
    try {
      return send(records);
    } finally {
      inWrite.exit();
    }
  }

  /** {@link #write}, on the runner thread, which {@link #close} interrupts. */
  private CompletionStage<WriteResult> send(List<AnalyticsRecord> records) throws PumpException {
    TrackingStatsDClient c = connect();
    if (c == null) {
      throw new RetriablePumpException("dogstatsd pump " + name + ": " + notReadyReason);
    }
    List<AnalyticsRecord> sampled = new ArrayList<>(records.size());
    for (AnalyticsRecord r : records) {
      if (settings.sampleRate() < 1 && random.getAsDouble() > settings.sampleRate()) {
        sampledOutCounter.increment();
      } else {
        sampled.add(r);
      }
    }
    RenderedBatch<DogStatsdMetric> rendered = RenderedBatch.render(sampled, "a dogstatsd metric", mapper::map);
    List<AnalyticsRecord> toSend = new ArrayList<>(sampled.size());
    List<DogStatsdMetric> metrics = new ArrayList<>(sampled.size());
    List<RecordFailure> rejected = new ArrayList<>(rendered.failures());
    for (int i = 0; i < rendered.values().size(); i++) {
      AnalyticsRecord r = rendered.records().get(i);
      DogStatsdMetric m = rendered.values().get(i);
      int bytes = lineBytes(m);
      if (bytes >= maxPacketBytes) {
        oversizeCounter.increment();
        rejected.add(
            new RecordFailure(
                r,
                "dogstatsd metric line of about " + bytes + " bytes does not fit in a "
                    + maxPacketBytes + "-byte datagram (long tag values such as path?)"));
        continue;
      }
      toSend.add(r);
      metrics.add(m);
    }
    DeliveryLedger.Batch batch = ledger.open(records.size(), rejected);
    int enqueued = 0;
    for (; enqueued < toSend.size() && !closed.get(); enqueued++) {
      DogStatsdMetric m = metrics.get(enqueued);
      ledger.register(batch, toSend.get(enqueued));
      c.histogram(m.name(), m.value(), clientRate, m.tagArray());
    }
    CompletionStage<WriteResult> stage = ledger.seal(batch, enqueued == toSend.size());
    stage.whenComplete((result, error) -> logOutcome(records.size(), result, error));
    return stage;
  }

  @Override
  public void flush(Deadline deadline) throws PumpException {
    if (ledger == null || client == null) {
      return;
    }
    try {
      long left = ledger.awaitDrained(deadline);
      if (left > 0) {
        throw new PumpException(
            "dogstatsd pump " + name + ": " + left + " metrics not yet written to " + address
                + " when the flush deadline passed");
      }
      // Stages complete on the single completions thread, in order: once this no-op has run,
      // every batch accounted for above has its stage completed.
      completions.submit(() -> {}).get(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PumpException("dogstatsd pump " + name + ": flush interrupted", e);
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      throw new PumpException("dogstatsd pump " + name + ": batch completions did not finish", e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    notReadyReason = "closed";
    inWrite.interrupt(); // a write blocked on the client's full queue drops its metric and stops
    TrackingStatsDClient c = client;
    if (c != null) {
      Thread stopper = new Thread(c::stop, "dogstatsd-" + name + "-stop");
      stopper.setDaemon(true);
      stopper.start();
      try {
        stopper.join(Duration.ofSeconds(CLOSE_TIMEOUT_SECONDS).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (stopper.isAlive()) {
        LOG.warn("dogstatsd pump {}: client did not stop within {} s", name, CLOSE_TIMEOUT_SECONDS);
      }
    }
    if (ledger != null) {
      long lost = ledger.abandonAll("dogstatsd pump " + name + " closed before the metrics were sent");
      if (lost > 0) {
        LOG.warn("dogstatsd pump {}: {} metrics were not sent before close", name, lost);
      }
    }
    if (completions != null) {
      completions.shutdown();
    }
  }

  @Override
  public Optional<String> readiness() {
    if (client == null || closed.get()) {
      return Optional.of("dogstatsd: " + notReadyReason);
    }
    String failure = lastSendFailure;
    return failure == null ? Optional.empty() : Optional.of("dogstatsd: " + failure);
  }

  /** The client, built on first need; {@code null} (with {@link #notReadyReason}) when it cannot be. */
  private TrackingStatsDClient connect() {
    TrackingStatsDClient c = client;
    if (c != null) {
      return c;
    }
    synchronized (this) {
      if (client == null && !closed.get()) {
        try {
          client = newClient();
          notReadyReason = null;
        } catch (StatsDClientException e) {
          notReadyReason = "cannot open a client for " + address + ": " + rootMessage(e);
          LOG.warn("dogstatsd pump {}: {}; will retry on the next write", name, notReadyReason);
        }
      }
      return client;
    }
  }

  private TrackingStatsDClient newClient() {
    TrackingStatsDClient.Builder b = new TrackingStatsDClient.Builder();
    b.prefix(settings.namespace())
        .constantTags("tyk-pump")
        .blocking(true)
        .enableAggregation(false)
        .enableTelemetry(settings.enableTelemetry())
        .telemetryFlushInterval((int) telemetryInterval.toMillis())
        .originDetectionEnabled(false)
        .processorWorkers(1)
        .senderWorkers(1)
        .maxPacketSizeBytes(maxPacketBytes)
        .errorHandler(new ClientHooks());
    if (address.isUnixSocket()) {
      b.address(address.clientUrl()).timeout((int) settings.udsWriteTimeout().toMillis());
    } else {
      b.hostname(address.host()).port(address.port());
    }
    return b.buildTracking();
  }

  /** Bytes of everything in a line except the metric's own value and tags, plus an allowance. */
  private int fixedLineBytes() {
    StringBuilder sb = new StringBuilder();
    sb.append(settings.namespace()).append('.').append(DogStatsdMetricMapper.METRIC_NAME);
    sb.append(":|h|#tyk-pump");
    if (!Double.isNaN(clientRate)) {
      sb.append("|@").append(clientRate);
    }
    // Constant tags the client adds from the environment.
    Map<String, String> envTags =
        Map.of(
            "DD_ENTITY_ID", "dd.internal.entity_id",
            "DD_SERVICE", "service",
            "DD_ENV", "env",
            "DD_VERSION", "version");
    envTags.forEach(
        (var, tag) -> {
          String v = env.apply(var);
          if (v != null && !v.isBlank()) {
            sb.append(',').append(tag).append(':').append(v.trim());
          }
        });
    return sb.toString().getBytes(StandardCharsets.UTF_8).length + LINE_TAIL_ALLOWANCE;
  }

  private int lineBytes(DogStatsdMetric m) {
    int n = fixedLineBytes + Long.toString(m.value()).length();
    for (String t : m.tags()) {
      n += 1 + utf8Length(t);
    }
    return n;
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x80) {
        n++;
      } else if (ch < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(ch)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private void registerMeters(MeterRegistry registry, PumpContext ctx) {
    sentCounter =
        Counter.builder("pump.sink.documents.sent")
            .description("request_time metrics written to the DogStatsD socket")
            .tags(ctx.tags())
            .register(registry);
    sampledOutCounter =
        Counter.builder("pump.sink.documents.sampled_out")
            .description("records skipped by sample_rate")
            .tags(ctx.tags())
            .register(registry);
    sendFailedCounter = failedCounter(registry, ctx, "send_error");
    sendRetriedCounter =
        Counter.builder("pump.sink.documents.retried")
            .description("metrics the socket did not take for now (receiver busy or gone); their batch is offered again")
            .tags(ctx.tags())
            .register(registry);
    oversizeCounter = failedCounter(registry, ctx, "too_long");
    droppedCounter = failedCounter(registry, ctx, "client_dropped");
  }

  private static Counter failedCounter(MeterRegistry registry, PumpContext ctx, String reason) {
    return Counter.builder("pump.sink.documents.failed")
        .description("records whose metric could not be sent")
        .tags(ctx.tags())
        .tag("reason", reason)
        .register(registry);
  }

  private void logOutcome(int batchSize, WriteResult result, Throwable error) {
    if (error != null) {
      LOG.warn("dogstatsd pump {}: batch of {} records not sent: {}", name, batchSize, error.getMessage());
    } else if (result.anyRetriable()) {
      // the receiver is busy or away: the core logs the pump's failing state once, not per batch
      LOG.debug(
          "dogstatsd pump {}: {} of {} records not sent for now, first: {}",
          name,
          result.failures().size(),
          batchSize,
          result.failures().get(0).reason());
    } else if (!result.failures().isEmpty()) {
      LOG.warn(
          "dogstatsd pump {}: {} of {} records failed, first: {}",
          name,
          result.failures().size(),
          batchSize,
          result.failures().get(0).reason());
    } else {
      LOG.debug("dogstatsd pump {}: sent {} records", name, batchSize);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = Causes.root(e);
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + t;
  }

  /** The client's error handler and channel wrapper; runs on the client's threads. */
  private final class ClientHooks implements TrackingStatsDClient.Hooks, DatagramFramingChannel.Listener {
    @Override
    public WritableByteChannel wrapChannel(WritableByteChannel channel) {
      return new DatagramFramingChannel(
          channel,
          settings.maxMessagesPerDatagram(),
          settings.namespace() + "." + DogStatsdMetricMapper.METRIC_NAME + ":",
          address.toString(),
          this);
    }

    @Override
    public void sent(int lines) {
      sentCounter.increment(lines);
      lastSendFailure = null;
      ledger.sent(lines);
    }

    @Override
    public void failed(int lines, String reason, boolean retriable) {
      (retriable ? sendRetriedCounter : sendFailedCounter).increment(lines);
      lastSendFailure = reason;
      ledger.failed(lines, reason, retriable);
    }

    /** Anything the client reports besides socket writes: a metric dropped on the processor thread. */
    @Override
    public void handle(Exception exception) {
      if (closed.get()) {
        LOG.debug("dogstatsd pump {}: client error while closing: {}", name, exception.toString());
        return;
      }
      droppedCounter.increment();
      LOG.error("dogstatsd pump {}: the client dropped a metric: {}", name, exception.toString());
      ledger.dropped("dropped by the dogstatsd client: " + exception);
    }
  }
}
