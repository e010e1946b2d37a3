package io.pumpd.sinks.influx2;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.write.WriteParameters;
import com.influxdb.exceptions.InfluxException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
import io.pumpd.core.retry.Backoff;
import io.pumpd.core.retry.Retrier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyk's {@code influx2} pump on influxdb-client-java's {@link WriteApiBlocking}: one {@code
 * analytics} point per record ({@link Influx2PointMapper}), written in {@code batch_size} chunks on
 * the pump's runner thread with microsecond precision ({@code reference/tyk-pump.md} §5.3). Every
 * point of a batch is rendered to line protocol before the first request; a record that cannot be
 * rendered is failed alone ({@link RenderedBatch}).
 *
 * <h2>Errors</h2>
 *
 * Every failed request is counted ({@code pump.sink.requests.failed{status}}) and logged with the
 * server's message. Overload and unavailability (429, 503, other 5xx, 408, no response) are
 * retried with backoff, honouring {@code Retry-After}, until the write's deadline; if time runs
 * out the batch fails as {@link RetriablePumpException} (rewriting is harmless: a point's time is
 * its record's time, so a rewrite overwrites the same point). A chunk rejected for its content
 * (400, 413, 422) is split in halves until the offending records are isolated (at most {@value
 * #SPLIT_BUDGET} extra requests per chunk); they are reported as {@link RecordFailure}s with the
 * server's message (the core dead-letters them) and the rest are written. Any other 4xx (401, 403, 404, ...) fails the records of that request with the
 * server's message, without retry.
 *
 * <h2>Setup</h2>
 *
 * {@link #init} does no I/O. The {@code /ping}, organization and bucket checks ({@link
 * Influx2BucketSetup}) run on a background thread right after init and again before a write until
 * they succeed; {@link #readiness} reports why while they have not. A missing organization or
 * bucket fails writes permanently (records dead-lettered, with the reason); an unreachable server
 * fails them as retriable.
 *
 * <h2>Threading</h2>
 *
 * As {@link Pump}. {@code flush} has nothing to do (writes are synchronous, so Tyk's {@code flush}
 * option is moot). {@link #close} cancels the requests in progress ({@link InFlightCalls}: a write
 * waiting on a server that does not answer returns at once, as {@link RetriablePumpException}),
 * interrupts a write waiting to retry, and closes the client.
 */
public final class Influx2Pump implements Pump {
  private static final Logger LOG = LoggerFactory.getLogger(Influx2Pump.class);

  /** Longest one HTTP call may take when the pump has no {@code timeout}. */
  static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Extra requests one chunk may spend splitting a content rejection to isolate the offending
   * records (about 26 per bad record in a chunk of 5000); past it, sub-chunks fail whole.
   */
  static final int SPLIT_BUDGET = 64;

  private final String name;
  private final Influx2Settings settings;
  private final Backoff backoff;
  private final LongSupplier nowMicros;
  private final Influx2PointMapper mapper;
  private final Influx2BucketSetup setup;
  private final InFlightCalls calls = new InFlightCalls();

  private InfluxDBClient client;
  private WriteApiBlocking writeApi;
  private WriteParameters writeParameters;
  private Retrier retrier;
  private Thread setupThread;
  private volatile boolean closed;
  private volatile boolean setUp;
  private volatile String notReadyReason = "not initialised";
  private volatile String lastWriteFailure;
  private final InterruptibleWrite inWrite = new InterruptibleWrite();

  private Counter sentCounter;
  private Counter retriedCounter;
  private MeterRegistry registry;
  private PumpContext context;
  private final ConcurrentHashMap<String, Counter> failedByReason = new ConcurrentHashMap<>();

  public Influx2Pump(String name, Influx2Settings settings) {
    this(name, settings, Backoff.DEFAULT, Influx2Pump::nowMicros);
  }

  /**
   * @param backoff delays between retries when the server gives no {@code Retry-After}
   * @param nowMicros the write time, for records without a usable timestamp
   */
  Influx2Pump(String name, Influx2Settings settings, Backoff backoff, LongSupplier nowMicros) {
    this.name = name;
    this.settings = settings;
    this.backoff = backoff;
    this.nowMicros = nowMicros;
    this.mapper =
        new Influx2PointMapper(
            resolve(settings.tags()), resolve(settings.effectiveFields()), nowMicros);
    this.setup = new Influx2BucketSetup(settings);
  }

  @Override
  public void init(PumpContext ctx) throws PumpException {
    this.context = ctx;
    this.registry = ctx.meterRegistry();
    Duration callTimeout = ctx.timeout().isZero() ? DEFAULT_CALL_TIMEOUT : ctx.timeout();
    OkHttpClient.Builder http =
        new OkHttpClient.Builder()
            .protocols(List.of(Protocol.HTTP_1_1))
            .connectTimeout(callTimeout.compareTo(Duration.ofSeconds(10)) < 0 ? callTimeout : Duration.ofSeconds(10))
            .readTimeout(callTimeout)
            .writeTimeout(callTimeout)
            .callTimeout(callTimeout)
            .addInterceptor(calls);
    try {
      InfluxDBClientOptions.Builder options =
          InfluxDBClientOptions.builder()
              .url(settings.address())
              .org(settings.organization())
              .bucket(settings.bucket())
              .okHttpClient(http);
      if (!settings.token().isEmpty()) {
        options.authenticateToken(settings.token().reveal().toCharArray());
      } else {
        LOG.warn("influx2 pump {}: no token configured; requests carry no Authorization header", name);
      }
      client = InfluxDBClientFactory.create(options.build());
    } catch (RuntimeException e) {
      throw new PumpException("influx2 pump " + name + ": cannot create the client: " + e.getMessage(), e);
    }
    writeApi = client.getWriteApiBlocking();
    writeParameters =
        new WriteParameters(settings.bucket(), settings.organization(), Influx2PointMapper.PRECISION);
    retrier = new Retrier(backoff, Influx2Pump::retriable, "influx2 pump " + name + " write");
    sentCounter =
        Counter.builder("pump.sink.documents.sent")
            .description("points InfluxDB accepted")
            .tags(ctx.tags())
            .register(registry);
    retriedCounter =
        Counter.builder("pump.sink.requests.retried")
            .description("write requests retried after 429, 5xx or no response")
            .tags(ctx.tags())
            .register(registry);
    notReadyReason = "organization/bucket not checked yet";
    LOG.info(
        "influx2 pump {}: writing measurement {} to {} (org '{}', bucket '{}', precision us), tags {}, fields {}",
        name,
        Influx2PointMapper.MEASUREMENT,
        settings.address(),
        settings.organization(),
        settings.bucket(),
        settings.tags(),
        settings.effectiveFields());
    setupThread = Threads.start("influx2-" + name + "-setup", this::trySetUpQuietly);
  }

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
      throws PumpException {
    if (closed) {
      throw new PumpException("influx2 pump " + name + " is closed");
    }
    inWrite.enter();
    try {
      ensureSetUp();
      RenderedBatch<String> lines = RenderedBatch.render(records, "an InfluxDB line", mapper::line);
      List<AnalyticsRecord> rendered = lines.records();
      List<RecordFailure> failures = new ArrayList<>();
      for (int from = 0; from < rendered.size(); from += settings.batchSize()) {
        int to = Math.min(rendered.size(), from + settings.batchSize());
        int[] splitBudget = {SPLIT_BUDGET};
        writeChunk(rendered.subList(from, to), lines.values().subList(from, to), deadline, failures, splitBudget);
      }
      lastWriteFailure = null;
      return CompletableFuture.completedFuture(lines.result(rendered.size() - failures.size(), failures));
    } finally {
      inWrite.exit();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    notReadyReason = "closed";
    calls.cancelAll();
    inWrite.interrupt();
    if (setupThread != null) {
      setupThread.interrupt();
    }
    if (client != null) {
      client.close();
    }
  }

  @Override
  public Optional<String> readiness() {
    if (closed || !setUp) {
      return Optional.of("influx2: " + notReadyReason);
    }
    String failure = lastWriteFailure;
    return failure == null ? Optional.empty() : Optional.of("influx2: last write failed: " + failure);
  }

  /**
   * Writes one chunk, retrying transient failures within the deadline and bisecting content
   * rejections; adds permanent failures to {@code failures}.
   */
  private void writeChunk(
      List<AnalyticsRecord> records,
      List<String> points,
      Deadline deadline,
      List<RecordFailure> failures,
      int[] splitBudget)
      throws PumpException {
    int[] attempts = {0};
    try {
      retrier.call(
          () -> {
            if (closed) {
              throw new InterruptedException("closed");
            }
            if (attempts[0]++ > 0) {
              retriedCounter.increment();
            }
            return send(points);
          },
          deadline);
      sentCounter.increment(points.size());
    } catch (Influx2RequestException e) {
      if (e.isRetriable()) {
        lastWriteFailure = e.getMessage();
        throw new RetriablePumpException(e.getMessage() + " (gave up at the write deadline)", e);
      }
      if (isContentRejection(e.status()) && records.size() > 1 && splitBudget[0] >= 2) {
        splitBudget[0] -= 2;
        int half = records.size() / 2;
        writeChunk(records.subList(0, half), points.subList(0, half), deadline, failures, splitBudget);
        writeChunk(
            records.subList(half, records.size()),
            points.subList(half, points.size()),
            deadline,
            failures,
            splitBudget);
        return;
      }
      countFailed("http_" + e.status(), records.size());
      for (AnalyticsRecord r : records) {
        failures.add(new RecordFailure(r, e.getMessage()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriablePumpException("influx2 pump " + name + ": write interrupted (closing)", e);
    } catch (Exception e) {
      throw new PumpException("influx2 pump " + name + ": unexpected write failure: " + e, e);
    }
  }

  /** One HTTP write of line-protocol points; logs and counts a failure, then rethrows it in our terms. */
  private Void send(List<String> points) throws Influx2RequestException {
    try {
      writeApi.writeRecords(points, writeParameters);
      return null;
    } catch (InfluxException e) {
      Influx2RequestException failure = Influx2RequestException.from(e, "write of " + points.size() + " points");
      countRequestFailure(failure);
      if (failure.isRetriable()) {
        LOG.warn("influx2 pump {}: {}; will retry within the deadline", name, failure.getMessage());
      } else {
        LOG.warn("influx2 pump {}: {}", name, failure.getMessage());
      }
      throw failure;
    }
  }

  private void ensureSetUp() throws PumpException {
    if (setUp) {
      return;
    }
    synchronized (setup) {
      if (setUp) {
        return;
      }
      if (closed) {
        throw new RetriablePumpException("influx2 pump " + name + " closed before InfluxDB was set up");
      }
      try {
        setup.run(client);
        setUp = true;
        notReadyReason = null;
      } catch (Influx2BucketSetup.MissingException e) {
        notReadyReason = e.getMessage();
        throw new PumpException("influx2 pump " + name + ": " + e.getMessage(), e);
      } catch (Influx2RequestException e) {
        notReadyReason = e.getMessage();
        countRequestFailure(e);
        if (e.isRetriable()) {
          throw new RetriablePumpException("influx2 pump " + name + ": " + e.getMessage(), e);
        }
        throw new PumpException("influx2 pump " + name + ": " + e.getMessage(), e);
      } catch (InfluxException e) {
        notReadyReason = e.getMessage();
        throw new RetriablePumpException("influx2 pump " + name + ": setup failed: " + e.getMessage(), e);
      }
    }
  }

  private void trySetUpQuietly() {
    try {
      ensureSetUp();
    } catch (PumpException e) {
      LOG.warn("influx2 pump {}: not ready yet: {}", name, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("influx2 pump {}: setup failed: {}", name, e.toString());
    }
  }

  private void countRequestFailure(Influx2RequestException e) {
    Counter.builder("pump.sink.requests.failed")
        .description("requests to InfluxDB that failed, by HTTP status (0: no response)")
        .tags(context.tags())
        .tag("status", Integer.toString(e.status()))
        .register(registry)
        .increment();
  }

  private void countFailed(String reason, int n) {
    failedByReason
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("pump.sink.documents.failed")
                    .description("records InfluxDB rejected permanently")
                    .tags(context.tags())
                    .tag("reason", r)
                    .register(registry))
        .increment(n);
  }

  private static boolean retriable(Throwable t) {
    return t instanceof Influx2RequestException e && e.isRetriable();
  }

  /** 400 (parse error), 413 (too large), 422 (type conflict, outside retention): the content. */
  private static boolean isContentRejection(int status) {
    return status == 400 || status == 413 || status == 422;
  }

  private static List<Influx2Attribute> resolve(List<String> names) {
    return names.stream()
        .map(n -> Influx2Attribute.byName(n).orElseThrow(() -> new IllegalArgumentException("unknown name " + n)))
        .toList();
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1_000;
  }
}
