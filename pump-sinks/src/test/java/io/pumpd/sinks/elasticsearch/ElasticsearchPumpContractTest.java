package io.pumpd.sinks.elasticsearch;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContractKit;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.sinks.elasticsearch.RecordingElasticsearchServer.Reply;
import io.pumpd.sinks.elasticsearch.testing.TcpProxy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/**
 * The {@link Pump} contract for the {@code elasticsearch} pump (bulk path, with a small buffer
 * budget so that back-pressure comes soon) against the strict stand-in {@link
 * RecordingElasticsearchServer}, reached through a {@link TcpProxy} that can cut it off. The
 * backend's scripts cover both bulk and single-document requests, so that a variant only changes
 * {@link #extraMeta()} ({@link ElasticsearchDisableBulkPumpContractTest}).
 */
@DisplayName("elasticsearch pump -> strict Elasticsearch stand-in: Pump contract")
class ElasticsearchPumpContractTest extends PumpContractKit {
  private RecordingElasticsearchServer server;
  private TcpProxy proxy;

  @BeforeEach
  void startServer() throws Exception {
    server = closeAfterEach(RecordingElasticsearchServer.http());
    proxy = closeAfterEach(new TcpProxy("127.0.0.1", server.port()));
  }

  /** Extra {@code meta} members of this variant. */
  String extraMeta() {
    return "\"bulk_config\":{\"bulk_size\":2000,\"flush_interval\":1}";
  }

  @Override
  protected Pump newPump() throws Exception {
    return new ElasticsearchPumpFactory().create("contract", PumpUnderTest.settings("{\"elasticsearch_url\":\""
        + proxy.url() + "\",\"index_name\":\"contract\",\"generate_id\":true," + extraMeta() + "}"));
  }

  /** Requests get no answer until released. */
  @Override
  protected AutoCloseable stallBackend() {
    CountDownLatch release = new CountDownLatch(1);
    server.onBulk(r -> answerOnce(release, Reply.created(r)));
    server.onDocument(r -> answerOnce(release, Reply.indexed(r)));
    return release::countDown;
  }

  private static Reply answerOnce(CountDownLatch released, Reply reply) {
    try {
      released.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return reply;
  }

  /** Status 400 (document_parsing_exception) for the rejected record's document, 201 for the others. */
  @Override
  protected Rejection rejectPermanently(List<AnalyticsRecord> batch) {
    String badId = DocumentIds.idFor(batch.get(5));
    server.onBulk(r -> Reply.items(r, i -> badId.equals(r.actions().get(i).path("index").path("_id").asText()) ? 400 : 201));
    server.onDocument(r -> badId.equals(r.documentId()) ? Reply.error(400, "document_parsing_exception") : Reply.indexed(r));
    return new Rejection(batch, List.of(batch.get(5)));
  }

  /** Connections to Elasticsearch are refused and those open are broken. */
  @Override
  protected AutoCloseable makeBackendUnavailable() throws Exception {
    proxy.cut();
    return proxy::restore;
  }
}
