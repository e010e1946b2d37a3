package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.core.IndexRequest;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RenderedBatch;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.pump.WriteResult.RecordFailure;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code disable_bulk}: one index request per record, synchronously in {@code write}, each answered
 * before the next is sent; every document of the batch is built before the first is sent (a record
 * that cannot be mapped fails alone). Same accounting as the bulk path: a refused document is failed with
 * Elasticsearch's reason; no answer (or 408/429/5xx) is retried with {@link BulkWriter#RETRY_BACKOFF}
 * until the write's deadline, then the document is failed with the last error. {@code
 * mcp_index_name} and {@code rolling_index} apply as in bulk mode (Tyk ignores {@code
 * mcp_index_name} here). The returned stage is already complete.
 *
 * <p>Threading: {@code write} on the pump's runner thread; {@link #close} from another thread wakes a
 * {@code write} waiting between attempts, which then fails what is left.
 */
final class SyncWriter implements DocumentWriter {
  private static final Logger LOG = LoggerFactory.getLogger(SyncWriter.class);
  private static final Backoff BACKOFF = BulkWriter.RETRY_BACKOFF;
  private static final String CLOSED_REASON = "the pump closed before Elasticsearch acknowledged the document";

  private final String name;
  private final ElasticsearchDocumentMapper mapper;
  private final ElasticsearchAsyncClient client;
  private final TemplateGate gate;
  private final Reachability reach;
  private final ElasticsearchPumpMetrics metrics;
  private final CountDownLatch closedSignal = new CountDownLatch(1);

  SyncWriter(
      String name,
      ElasticsearchDocumentMapper mapper,
      ElasticsearchAsyncClient client,
      TemplateGate gate,
      Reachability reach,
      ElasticsearchPumpMetrics metrics) {
    this.name = name;
    this.mapper = mapper;
    this.client = client;
    this.gate = gate;
    this.reach = reach;
    this.metrics = metrics;
  }

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline) throws PumpException {
    if (closedSignal.getCount() == 0) {
      throw new PumpException("elasticsearch pump " + name + " is closed");
    }
    PendingBatch batch = new PendingBatch(records, deadline, new Accounting());
    RenderedBatch<PreparedDocument> docs = PreparedDocument.render(mapper, records);
    for (int j = 0; j < docs.failures().size(); j++) {
      batch.failed(docs.failedPosition(j), docs.failures().get(j).reason());
    }
    for (int i = 0; i < docs.values().size(); i++) {
      index(batch, docs.values().get(i), docs.position(i), deadline);
    }
    List<RecordFailure> failures = batch.future().join().failures();
    long rejected = failures.stream().filter(f -> !f.retriable()).count();
    if (rejected > 0) {
      LOG.warn("elasticsearch pump {}: {} of {} documents rejected by Elasticsearch (dead-lettered)", name, rejected,
          records.size());
    }
    if (rejected < failures.size()) {
      LOG.warn("elasticsearch pump {}: {} of {} documents not indexed for now (at_least_once delivers them again"
          + " later, at_most_once dead-letters them)", name, failures.size() - rejected, records.size());
    }
    return batch.future().copy();
  }

  private void index(PendingBatch batch, PreparedDocument doc, int position, Deadline deadline) {
    BinaryData body = BinaryData.of(doc.json(), ContentType.APPLICATION_JSON);
    IndexRequest<BinaryData> request = IndexRequest.of(b -> b.index(doc.index()).id(doc.id()).document(body));
    for (int attempt = 1; ; attempt++) {
      if (closedSignal.getCount() == 0) {
        batch.failedForNow(position, CLOSED_REASON);
        return;
      }
      Throwable error;
      CompletableFuture<?> call = gate.ready().thenCompose(v -> client.index(request));
      try {
        if (deadline.isUnbounded()) {
          call.get();
        } else {
          call.get(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS);
        }
        reach.reachable();
        batch.delivered(position);
        return;
      } catch (ExecutionException e) {
        error = e.getCause();
      } catch (CancellationException e) {
        error = e;
      } catch (TimeoutException e) {
        call.cancel(true);
        error = new java.io.IOException("no answer before the pump's timeout");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        batch.failedForNow(position, "interrupted while waiting for Elasticsearch");
        return;
      }
      String why = BulkFailures.describe(error);
      if (closedSignal.getCount() == 0) { // whatever closing the client made of the request, it is not a rejection
        batch.failedForNow(position, CLOSED_REASON + " (" + why + ")");
        return;
      }
      if (BulkFailures.answered(error)) {
        reach.reachable();
      } else {
        reach.unreachable("elasticsearch unreachable: " + why);
      }
      if (!BulkFailures.retriable(error)) {
        batch.failed(position, BulkFailures.rejection(error));
        return;
      }
      Duration delay = BACKOFF.delay(attempt);
      if (deadline.remaining().compareTo(delay) <= 0) {
        batch.failedForNow(position,
            "not acknowledged by Elasticsearch within the pump's timeout (" + attempt + " attempts); last error: " + why);
        return;
      }
      metrics.retried(1);
      LOG.debug("elasticsearch pump {}: index request failed ({}), retrying in {} ms", name, why, delay.toMillis());
      try {
        closedSignal.await(delay.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        batch.failedForNow(position, "interrupted while waiting to retry: " + why);
        return;
      }
    }
  }

  @Override
  public void flush(Deadline deadline) {
    // nothing is buffered: every write is answered before it returns
  }

  @Override
  public void close() {
    closedSignal.countDown();
  }

  private final class Accounting implements PendingBatch.Listener {
    @Override
    public void delivered(PendingBatch batch, int index) {
      metrics.sent(1);
    }

    @Override
    public void failed(PendingBatch batch, int index, String reason) {
      metrics.failed(1);
    }

    @Override
    public void completed(PendingBatch batch) {}
  }
}
