package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RenderedBatch;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bulk path: one long-lived {@link BulkIngester} whose operation context ({@link DocRef}) links
 * every document to its {@code write} batch ({@link PendingBatch}), whose future completes when all
 * of the batch's documents are resolved.
 *
 * <ul>
 *   <li><b>Sending.</b> The ingester sends a request when {@code bulk_actions} documents or {@code
 *       bulk_size} bytes are buffered, every {@code flush_interval}, and on {@link #flush}; at most
 *       {@code workers} requests are in flight.
 *   <li><b>Answers.</b> A document Elasticsearch acknowledged is delivered. A document it rejected
 *       (a mapping conflict, say) is failed with Elasticsearch's reason and never reported as sent.
 *       A retriable per-document status (429, 503, ...) and a whole request that got no answer or a
 *       retriable status (connection refused, 5xx, 429) are sent again, outside the ingester, after
 *       a capped exponential backoff with full jitter (200 ms doubling to 10 s), for as long as the
 *       documents' {@code write} deadline leaves time; then they are failed with the last error as
 *       {@linkplain io.pumpd.core.pump.WriteResult.RecordFailure#retriable() retriable} failures
 *       (so at_least_once offers them again later), as are documents still unanswered at close.
 *       Permanent request failures (401, 413, ...) fail their documents for good.
 *   <li><b>Hand-over.</b> {@code write} maps the records and queues the documents for an {@link
 *       IngesterFeeder}, which adds them to the ingester on its own thread: the ingester's
 *       back-pressure then holds the feeder, not the pump's lane, which takes the next batch
 *       meanwhile. {@code write} waits (up to its deadline) while more than 2 x {@code bulk_actions}
 *       documents wait for the feeder, so the lane stays about one batch ahead.
 *   <li><b>Memory.</b> {@code write} reserves its documents' bytes in a {@link BufferBudget} and waits
 *       (until its deadline or close, then {@link RetriablePumpException}) while it is used up; documents
 *       waiting for a retry keep their reservation, so memory stays bounded while Elasticsearch is
 *       down.
 *   <li><b>Template.</b> While the {@link TemplateGate} is not open (index template not installed
 *       yet, e.g. Elasticsearch down at start), documents bypass the ingester and go the retry way,
 *       in requests of at most {@code bulk_actions} / {@code bulk_size}, which installs the template
 *       before sending them.
 * </ul>
 *
 * Threading: {@code write}/{@code flush} on the pump's runner thread, answers on the ingester's
 * and the HTTP client's threads, retries on the pump's scheduler.
 */
final class BulkWriter implements DocumentWriter {
  private static final Logger LOG = LoggerFactory.getLogger(BulkWriter.class);

  /** Delays between attempts of a failed request. */
  static final Backoff RETRY_BACKOFF = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));

  /** How long {@link #close} waits for the ingester to drain before the connection is closed under it. */
  static final Duration INGESTER_CLOSE_WAIT = Duration.ofSeconds(5);

  /** How long {@code write} waits for a template installation that is under way. */
  static final Duration GATE_WAIT = Duration.ofSeconds(5);

  /**
   * Bulk responses are filtered ({@code filter_path}) to what the pump reads: per document only
   * {@code _index} (required by the client), {@code status} and {@code error}. That drops the ids,
   * versions, sequence numbers and shard counts Elasticsearch would otherwise serialize and the
   * pump parse for every document.
   */
  static final String RESPONSE_FILTER = "errors,took,items.*._index,items.*.status,items.*.error";

  private static final String CLOSED_REASON = "the pump closed before Elasticsearch acknowledged the document";

  /** The ingester's operation context: which document of which batch. */
  record DocRef(PendingBatch batch, int position) {}

  private final String name;
  private final ElasticsearchDocumentMapper mapper;
  private final ElasticsearchAsyncClient client;
  private final TemplateGate gate;
  private final Reachability reach;
  private final ElasticsearchPumpMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final BufferBudget budget;
  private final BulkIngester<DocRef> ingester;
  private final IngesterFeeder<DocRef> feeder;
  /** {@code write} waits while more documents than this wait for the feeder. */
  private final long handoffLimit;
  private final int maxOperations;
  private final long maxBytes;
  private final Set<PendingBatch> outstanding = ConcurrentHashMap.newKeySet();
  private final AtomicLong unacknowledged = new AtomicLong();
  private volatile boolean closed;

  BulkWriter(
      String name,
      ElasticsearchSettings.BulkConfig bulk,
      ElasticsearchDocumentMapper mapper,
      ElasticsearchAsyncClient client,
      TemplateGate gate,
      Reachability reach,
      ElasticsearchPumpMetrics metrics,
      ScheduledExecutorService scheduler) {
    this.name = name;
    this.mapper = mapper;
    this.client = client.withTransportOptions(o -> o.setParameter("filter_path", RESPONSE_FILTER));
    this.gate = gate;
    this.reach = reach;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.budget = new BufferBudget(budgetBytes(bulk));
    this.maxOperations = bulk.bulkActions();
    this.maxBytes = bulk.bulkSize();
    this.handoffLimit = 2L * (bulk.bulkActions() > 0 ? bulk.bulkActions() : ElasticsearchSettings.DEFAULT_BULK_ACTIONS);
    this.ingester =
        BulkIngester.of(
            b ->
                b.client(this.client)
                    .maxOperations(bulk.bulkActions())
                    .maxSize(bulk.bulkSize())
                    .maxConcurrentRequests(bulk.workers())
                    .flushInterval(bulk.flushInterval().toMillis(), TimeUnit.MILLISECONDS)
                    .listener(new Listener()));
    this.feeder = new IngesterFeeder<>(name, ingester::add, (ref, reason) -> ref.batch().failedForNow(ref.position(), reason), CLOSED_REASON);
    metrics.gauge("pump.sink.bulk.pending.operations", "documents taken and not sent yet",
        () -> feeder.queued() + ingester.pendingOperations());
    metrics.gauge("pump.sink.bulk.pending.requests", "bulk requests in flight", ingester::pendingRequests);
    metrics.gauge("pump.sink.documents.unacknowledged", "documents without an answer yet", unacknowledged::get);
    metrics.gauge("pump.sink.buffer.bytes", "bytes held for unanswered documents", budget::used);
  }

  /** The buffer budget: 4 x (workers + 1) bulk requests' worth (bulk_size, or 5 MiB if off). */
  static long budgetBytes(ElasticsearchSettings.BulkConfig bulk) {
    long request = bulk.bulkSize() > 0 ? bulk.bulkSize() : ElasticsearchSettings.DEFAULT_BULK_SIZE;
    return 4L * (bulk.workers() + 1) * request;
  }

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline) throws PumpException {
    if (closed) {
      throw new PumpException("elasticsearch pump " + name + " is closed");
    }
    if (records.isEmpty()) {
      return WriteResult.completed(0);
    }
    RenderedBatch<PreparedDocument> docs = PreparedDocument.render(mapper, records);
    long bytes = 0;
    for (PreparedDocument d : docs.values()) {
      bytes += d.weight();
    }
    long reserved;
    try {
      if (!feeder.awaitRoom(handoffLimit, deadline)) {
        if (closed) {
          throw closedWhileWaiting();
        }
        throw new RetriablePumpException("elasticsearch pump " + name + ": " + feeder.queued()
            + " documents still waiting to be handed to the bulk ingester; batch not taken before its deadline"
            + reach.readiness().map(r -> " (" + r + ")").orElse(""));
      }
      reserved = budget.acquire(bytes, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriablePumpException("interrupted while waiting for buffer space", e);
    }
    if (reserved < 0) {
      if (closed) {
        throw closedWhileWaiting();
      }
      throw new RetriablePumpException(
          "elasticsearch pump " + name + ": " + budget.used() + " bytes of documents are still waiting for"
              + " Elasticsearch (buffer " + budget.capacity() + " bytes); batch not taken before its deadline"
              + reach.readiness().map(r -> " (" + r + ")").orElse(""));
    }
    PendingBatch batch = new PendingBatch(records, deadline, new Accounting(reserved));
    outstanding.add(batch);
    unacknowledged.addAndGet(records.size());

    for (int j = 0; j < docs.failures().size(); j++) {
      batch.failed(docs.failedPosition(j), docs.failures().get(j).reason());
    }
    List<BulkOperation> ops = new ArrayList<>(docs.values().size());
    List<DocRef> refs = new ArrayList<>(docs.values().size());
    for (int i = 0; i < docs.values().size(); i++) {
      ops.add(docs.values().get(i).operation());
      refs.add(new DocRef(batch, docs.position(i)));
    }
    if (awaitGate(deadline)) {
      feeder.submit(ops, refs);
    } else {
      // Elasticsearch is not there yet: the retry path installs the template first
      int from = 0;
      long chunkBytes = 0;
      for (int i = 0; i < ops.size(); i++) {
        chunkBytes += docs.values().get(i).weight();
        boolean full = (maxOperations > 0 && i + 1 - from >= maxOperations) || (maxBytes > 0 && chunkBytes >= maxBytes);
        if (full || i == ops.size() - 1) {
          send(List.copyOf(ops.subList(from, i + 1)), List.copyOf(refs.subList(from, i + 1)), 1);
          from = i + 1;
          chunkBytes = 0;
        }
      }
    }
    return batch.future().copy();
  }

  /** A batch that waited for room when the pump closed: not taken, not rejected either. */
  private RetriablePumpException closedWhileWaiting() {
    return new RetriablePumpException("elasticsearch pump " + name + " closed while the batch waited for buffer room;"
        + " not taken");
  }

  /**
   * Whether the template gate is open, giving a pending installation up to {@link #GATE_WAIT}
   * (within {@code deadline}) to finish: when Elasticsearch answers that takes milliseconds.
   */
  private boolean awaitGate(Deadline deadline) {
    if (gate.isOpen()) {
      return true;
    }
    long wait = Math.min(GATE_WAIT.toMillis(), deadline.remainingMillis());
    try {
      gate.ready().get(Math.max(1, wait), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException notYet) {
      return false;
    }
  }

  @Override
  public void flush(Deadline deadline) throws PumpException {
    long pending = unacknowledged.get();
    double sentBefore = metrics.sentTotal();
    double failedBefore = metrics.failedTotal();
    long start = System.nanoTime();
    if (!closed) {
      try {
        feeder.drained().get(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // reported below as documents without an answer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ingester.flush();
    }
    CompletableFuture<?>[] all = outstanding.stream().map(PendingBatch::future).toArray(CompletableFuture[]::new);
    try {
      if (deadline.isUnbounded()) {
        CompletableFuture.allOf(all).get();
      } else {
        CompletableFuture.allOf(all).get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      // reported below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // batch futures never complete exceptionally
    }
    long left = unacknowledged.get();
    long sent = Math.round(metrics.sentTotal() - sentBefore);
    long failed = Math.round(metrics.failedTotal() - failedBefore);
    if (pending > 0 || left > 0) {
      LOG.info(
          "elasticsearch pump {}: flushed {} documents ({} acknowledged, {} failed) in {} ms{}",
          name,
          sent + failed,
          sent,
          failed,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          left > 0 ? "; " + left + " still without an answer" : "");
    }
    if (left > 0) {
      throw new PumpException(
          left + " documents were not acknowledged by Elasticsearch before the flush deadline"
              + reach.readiness().map(r -> " (" + r + ")").orElse(""));
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    budget.close();
    feeder.stop(Duration.ofSeconds(1));
    Thread closer = new Thread(ingester::close, "pumpd-es-ingester-close-" + name);
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(INGESTER_CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      LOG.warn("elasticsearch pump {}: bulk ingester still waiting for answers after {} s; closing the connection under it",
          name, INGESTER_CLOSE_WAIT.toSeconds());
    }
    int failed = 0;
    for (PendingBatch b : outstanding) {
      failed += b.failRemainingForNow(CLOSED_REASON);
    }
    if (failed > 0) {
      LOG.warn("elasticsearch pump {}: {} documents had no answer from Elasticsearch at close; they are "
          + "not confirmed (at_least_once delivers them again later, at_most_once dead-letters them)", name, failed);
    }
  }

  /** Sends {@code ops} outside the ingester (retries, and while the template gate is closed). */
  private void send(List<BulkOperation> ops, List<DocRef> refs, int attempt) {
    if (closed) {
      failAll(refs, CLOSED_REASON, true);
      return;
    }
    CompletableFuture<BulkResponse> response;
    try {
      response = gate.ready().thenCompose(v -> client.bulk(BulkRequest.of(b -> b.operations(ops))));
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    response.whenComplete(
        (resp, err) -> {
          if (err != null) {
            onRequestFailure(ops, refs, err, attempt);
          } else {
            onResponse(ops, refs, resp, attempt);
          }
        });
  }

  private void onResponse(List<BulkOperation> ops, List<DocRef> refs, BulkResponse resp, int attempt) {
    reach.reachable();
    List<BulkResponseItem> items = resp.items();
    List<BulkOperation> retryOps = new ArrayList<>();
    List<DocRef> retryRefs = new ArrayList<>();
    int rejected = 0;
    String firstRejection = null;
    String retryReason = null;
    for (int i = 0; i < refs.size(); i++) {
      DocRef ref = refs.get(i);
      BulkResponseItem item = i < items.size() ? items.get(i) : null;
      if (item == null) {
        ref.batch().failed(ref.position(), "the bulk response had no answer for this document");
        rejected++;
      } else if (item.error() == null) {
        ref.batch().delivered(ref.position());
      } else if (BulkFailures.retriable(item)) {
        retryOps.add(ops.get(i));
        retryRefs.add(ref);
        retryReason = retryReason == null ? BulkFailures.reason(item) : retryReason;
      } else {
        String reason = BulkFailures.reason(item);
        if (ref.batch().failed(ref.position(), reason)) {
          rejected++;
          firstRejection = firstRejection == null ? reason : firstRejection;
        }
      }
    }
    if (rejected > 0) {
      LOG.warn(
          "elasticsearch pump {}: {} of {} documents rejected by Elasticsearch (not indexed, dead-lettered); first: {}",
          name, rejected, refs.size(), firstRejection);
    }
    LOG.debug("elasticsearch pump {}: bulk request of {} documents answered in {} ms: {} indexed, {} rejected, {} to retry",
        name, refs.size(), resp.took(), refs.size() - rejected - retryRefs.size(), rejected, retryRefs.size());
    if (!retryRefs.isEmpty()) {
      scheduleRetry(retryOps, retryRefs, attempt, retryReason);
    }
  }

  private void onRequestFailure(List<BulkOperation> ops, List<DocRef> refs, Throwable err, int attempt) {
    String why = BulkFailures.describe(err);
    if (closed) { // whatever closing the client made of the request (cancelled, reset), it is not a rejection
      failAll(refs, CLOSED_REASON + " (last error: " + why + ")", true);
      return;
    }
    if (BulkFailures.answered(err)) {
      reach.reachable();
    } else {
      reach.unreachable("elasticsearch unreachable: " + why);
    }
    if (BulkFailures.retriable(err)) {
      scheduleRetry(ops, refs, attempt, why);
    } else {
      int n = failAll(refs, "elasticsearch refused the bulk request: " + why, false);
      LOG.error("elasticsearch pump {}: bulk request of {} documents refused, documents dead-lettered: {}", name, n, why);
    }
  }

  private void scheduleRetry(List<BulkOperation> ops, List<DocRef> refs, int attempt, String why) {
    if (closed) {
      failAll(refs, CLOSED_REASON + " (last error: " + why + ")", true);
      return;
    }
    Duration delay = RETRY_BACKOFF.delay(attempt);
    List<BulkOperation> keptOps = new ArrayList<>();
    List<DocRef> keptRefs = new ArrayList<>();
    int gaveUp = 0;
    for (int i = 0; i < refs.size(); i++) {
      DocRef ref = refs.get(i);
      if (ref.batch().isResolved(ref.position())) {
        continue;
      }
      if (ref.batch().deadline().remaining().compareTo(delay) <= 0) {
        if (ref.batch().failedForNow(ref.position(),
            "not acknowledged by Elasticsearch within the pump's timeout (" + attempt + " attempts); last error: " + why)) {
          gaveUp++;
        }
      } else {
        keptOps.add(ops.get(i));
        keptRefs.add(ref);
      }
    }
    if (gaveUp > 0) {
      LOG.warn("elasticsearch pump {}: gave up on {} documents at their deadline after {} attempts "
          + "(at_least_once delivers them again later, at_most_once dead-letters them): {}",
          name, gaveUp, attempt, why);
    }
    if (keptRefs.isEmpty()) {
      return;
    }
    metrics.retried(keptRefs.size());
    if (attempt == 1) {
      LOG.warn("elasticsearch pump {}: {} documents not indexed ({}), retrying with backoff", name, keptRefs.size(), why);
    } else {
      LOG.debug("elasticsearch pump {}: attempt {} for {} documents failed ({}), next in {} ms",
          name, attempt, keptRefs.size(), why, delay.toMillis());
    }
    try {
      scheduler.schedule(() -> send(keptOps, keptRefs, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shutDown) {
      failAll(keptRefs, CLOSED_REASON + " (last error: " + why + ")", true);
    }
  }

  /** Fails every unresolved document of {@code refs}: {@code forNow} ones may be sent again later. */
  private static int failAll(List<DocRef> refs, String reason, boolean forNow) {
    int n = 0;
    for (DocRef r : refs) {
      if (forNow ? r.batch().failedForNow(r.position(), reason) : r.batch().failed(r.position(), reason)) {
        n++;
      }
    }
    return n;
  }

  /** Per-batch bookkeeping: meters, the unacknowledged count and the budget reservation. */
  private final class Accounting implements PendingBatch.Listener {
    private final long reserved;

    Accounting(long reserved) {
      this.reserved = reserved;
    }

    @Override
    public void delivered(PendingBatch batch, int index) {
      metrics.sent(1);
      unacknowledged.decrementAndGet();
    }

    @Override
    public void failed(PendingBatch batch, int index, String reason) {
      metrics.failed(1);
      unacknowledged.decrementAndGet();
    }

    @Override
    public void completed(PendingBatch batch) {
      outstanding.remove(batch);
      budget.release(reserved);
    }
  }

  /** Routes the ingester's answers; never lets an exception escape into the ingester's threads. */
  private final class Listener implements BulkListener<DocRef> {
    @Override
    public void beforeBulk(long executionId, BulkRequest request, List<DocRef> contexts) {
      LOG.trace("elasticsearch pump {}: sending bulk request {} with {} documents", name, executionId, contexts.size());
    }

    @Override
    public void afterBulk(long executionId, BulkRequest request, List<DocRef> contexts, BulkResponse response) {
      try {
        onResponse(request.operations(), contexts, response, 1);
      } catch (RuntimeException e) {
        LOG.error("elasticsearch pump {}: handling a bulk response failed", name, e);
        failAll(contexts, "internal error while handling the bulk response: " + e, false);
      }
    }

    @Override
    public void afterBulk(long executionId, BulkRequest request, List<DocRef> contexts, Throwable failure) {
      try {
        onRequestFailure(request.operations(), contexts, failure, 1);
      } catch (RuntimeException e) {
        LOG.error("elasticsearch pump {}: handling a bulk failure failed", name, e);
        failAll(contexts, "internal error while handling the bulk failure: " + e, false);
      }
    }
  }
}
