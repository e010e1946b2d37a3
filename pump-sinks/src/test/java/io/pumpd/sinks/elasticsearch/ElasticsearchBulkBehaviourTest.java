package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.sinks.elasticsearch.RecordingElasticsearchServer.Recorded;
import io.pumpd.sinks.elasticsearch.RecordingElasticsearchServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bulk settings, retries and failure accounting as seen on the wire, against {@link
 * RecordingElasticsearchServer} (scripted answers that a real node does not give on demand).
 */
class ElasticsearchBulkBehaviourTest {
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<AnalyticsRecord> fixture = Fixtures.records(Fixtures.MODERN);
  private RecordingElasticsearchServer server;

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private PumpUnderTest pump(String extraMeta) throws Exception {
    if (server == null) {
      server = RecordingElasticsearchServer.http();
      toClose.add(server);
    }
    PumpUnderTest p = new PumpUnderTest("bulk-" + toClose.size(),
        "{\"elasticsearch_url\":\"" + server.url() + "\",\"index_name\":\"bulk\"" + (extraMeta.isEmpty() ? "" : "," + extraMeta) + "}");
    toClose.add(p);
    return p;
  }

  private static List<Integer> sizes(List<Recorded> bulks) {
    return bulks.stream().map(r -> r.actions().size()).toList();
  }

  @Test
  void bulkActionsSplitsRequestsAndTheRestWaitsForTheIntervalOrAFlush() throws Exception {
    PumpUnderTest p = pump("\"bulk_config\":{\"bulk_actions\":100,\"flush_interval\":3600}");
    CompletableFuture<WriteResult> stage = p.pump.write(fixture.subList(0, 250), Deadline.NONE).toCompletableFuture();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.bulkRequests().size() == 2);
    assertThat(sizes(server.bulkRequests())).containsExactly(100, 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> p.gauge("pump.sink.bulk.pending.operations") == 50);
    assertThat(stage).isNotDone();
    p.flush(Duration.ofSeconds(10));
    assertThat(sizes(server.bulkRequests())).containsExactly(100, 100, 50);
    assertThat(stage.get(1, TimeUnit.SECONDS).delivered()).isEqualTo(250);
    assertThat(server.bulkRequests()).allSatisfy(r ->
        assertThat(r.query()).contains("filter_path=errors,took,items.*._index,items.*.status,items.*.error"));
  }

  @Test
  void bulkSizeCapsTheRequestBody() throws Exception {
    PumpUnderTest p = pump("\"bulk_config\":{\"bulk_actions\":-1,\"bulk_size\":4000,\"flush_interval\":3600}");
    List<AnalyticsRecord> records = fixture.subList(0, 60);
    int largestDoc = records.stream()
        .mapToInt(r -> ElasticsearchDocumentMapper.of(p.settings).documentBytes(r).length + 200).max().orElseThrow();
    CompletableFuture<WriteResult> stage = p.pump.write(records, Deadline.NONE).toCompletableFuture();
    p.flush(Duration.ofSeconds(10));
    assertThat(stage.get(1, TimeUnit.SECONDS).delivered()).isEqualTo(60);
    List<Recorded> bulks = server.bulkRequests();
    assertThat(bulks).hasSizeGreaterThan(5);
    assertThat(bulks).allSatisfy(r -> assertThat(r.body().length).isLessThan(4000 + largestDoc));
    assertThat(bulks.subList(0, bulks.size() - 1)).allSatisfy(r -> assertThat(r.body().length).isGreaterThanOrEqualTo(3000));
  }

  @Test
  void theFlushIntervalSendsWithoutAnyFlushCall() throws Exception {
    PumpUnderTest p = pump("\"bulk_config\":{\"bulk_actions\":1000,\"flush_interval\":1}");
    CompletableFuture<WriteResult> stage = p.pump.write(fixture.subList(0, 5), Deadline.NONE).toCompletableFuture();
    assertThat(stage.get(10, TimeUnit.SECONDS).delivered()).isEqualTo(5);
    assertThat(sizes(server.bulkRequests())).containsExactly(5);
  }

  @Test
  void workersBoundTheRequestsInFlight() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    PumpUnderTest p = pump("\"bulk_config\":{\"bulk_actions\":10,\"flush_interval\":3600,\"workers\":2}");
    server.onBulk(r -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Reply.created(r);
    });
    CompletableFuture<WriteResult> stage = CompletableFuture.supplyAsync(() -> {
      try {
        return p.pump.write(fixture.subList(0, 50), Deadline.NONE).toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> server.bulkInFlight() == 2);
    release.countDown();
    assertThat(stage.get(30, TimeUnit.SECONDS).delivered()).isEqualTo(50);
    assertThat(server.maxBulkInFlight()).isEqualTo(2);
  }

  @Test
  void theTemplateIsPutBeforeTheFirstBulkRequest() throws Exception {
    PumpUnderTest p = pump("\"mcp_index_name\":\"mcp\"");
    p.writeAndWait(fixture.subList(0, 5));
    List<Recorded> writes = server.requests().stream().filter(r -> !r.method().equals("GET")).toList();
    assertThat(writes.get(0).method()).isEqualTo("PUT");
    assertThat(writes.get(0).path()).isEqualTo("/_index_template/pumpd-bulk");
    assertThat(new String(writes.get(0).body())).contains("\"index_patterns\":[\"bulk\",\"bulk-*\",\"mcp\",\"mcp-*\"]");
    assertThat(writes.get(1).isBulk()).isTrue();
  }

  @Test
  void noTemplateWhenSwitchedOff() throws Exception {
    PumpUnderTest p = pump("\"install_template\":false");
    p.writeAndWait(fixture.subList(0, 5));
    assertThat(server.requests()).noneMatch(r -> r.path().startsWith("/_index_template"));
  }

  @Test
  void aRefusedTemplateDoesNotHoldDocumentsBack() throws Exception {
    PumpUnderTest p = pump("");
    server.onTemplate(r -> Reply.error(400, "illegal_argument_exception"));
    assertThat(p.writeAndWait(fixture.subList(0, 5)).delivered()).isEqualTo(5);
  }

  @Test
  void wholeRequestFailuresAreRetriedWithBackoff() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    PumpUnderTest p = pump("\"generate_id\":true");
    server.onBulk(r -> calls.incrementAndGet() <= 2 ? Reply.error(503, "unavailable") : Reply.created(r));
    WriteResult r = p.writeAndWait(fixture.subList(0, 20));
    assertThat(r.delivered()).isEqualTo(20);
    assertThat(r.failures()).isEmpty();
    assertThat(p.counter("pump.sink.documents.retried")).isEqualTo(40);
    assertThat(server.bulkRequests()).hasSize(3).allSatisfy(b -> assertThat(b.actions()).hasSize(20));
  }

  @Test
  void retriableDocumentStatusesAreRetriedAloneAndRejectedOnesFailWithTheReason() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    PumpUnderTest p = pump("\"generate_id\":true");
    server.onBulk(r -> calls.incrementAndGet() == 1
        ? Reply.items(r, i -> i < 3 ? 429 : i < 5 ? 400 : 201)
        : Reply.created(r));
    List<AnalyticsRecord> records = fixture.subList(0, 10);
    WriteResult r = p.writeAndWait(records);
    assertThat(r.delivered()).isEqualTo(8);
    assertThat(r.failures()).hasSize(2).allSatisfy(f -> {
      assertThat(f.record()).isIn(records.get(3), records.get(4));
      assertThat(f.reason()).contains("status 400").contains("document_parsing_exception").contains("scripted failure");
    });
    assertThat(server.bulkRequests()).hasSize(2);
    Set<String> retriedIds = Set.copyOf(server.bulkRequests().get(1).actions().stream()
        .map(a -> a.path("index").path("_id").asText()).toList());
    assertThat(retriedIds).containsExactlyInAnyOrder(
        DocumentIds.idFor(records.get(0)), DocumentIds.idFor(records.get(1)), DocumentIds.idFor(records.get(2)));
    assertThat(p.counter("pump.sink.documents.failed")).isEqualTo(2);
  }

  @Test
  void permanentRequestFailuresFailEveryDocumentWithTheReason() throws Exception {
    PumpUnderTest p = pump("");
    server.onBulk(r -> Reply.error(401, "security_exception"));
    WriteResult r = p.writeAndWait(fixture.subList(0, 4));
    assertThat(r.delivered()).isZero();
    assertThat(r.failures()).hasSize(4).allSatisfy(f ->
        assertThat(f.reason()).contains("refused the bulk request").contains("HTTP 401").contains("security_exception"));
    assertThat(server.bulkRequests()).hasSize(1);
  }

  @Test
  void documentsStillUnansweredAtTheirDeadlineFailForNowWithTheLastError() throws Exception {
    PumpUnderTest p = pump("");
    server.onBulk(r -> Reply.error(503, "unavailable"));
    WriteResult r = p.pump.write(fixture.subList(0, 6), Deadline.after(Duration.ofMillis(1500)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(r.delivered()).isZero();
    assertThat(r.failures()).hasSize(6).allSatisfy(f -> {
      assertThat(f.reason()).contains("within the pump's timeout").contains("HTTP 503");
      assertThat(f.retriable()).as("an outage, not a rejection: at_least_once offers it again").isTrue();
    });
    assertThat(server.bulkRequests().size()).isGreaterThan(1);
  }

  @Test
  void aFullBufferPushesBackUntilTheDeadlineThenRefusesTheBatch() throws Exception {
    PumpUnderTest p = pump("\"bulk_config\":{\"bulk_size\":2000,\"flush_interval\":3600}");
    server.onBulk(r -> Reply.error(503, "unavailable"));
    // budget = 4 x (1 worker + 1) x 2000 bytes = 16 000 bytes
    CompletableFuture<WriteResult> retrying =
        p.pump.write(fixture.subList(0, 10), Deadline.after(Duration.ofSeconds(60))).toCompletableFuture();
    await().atMost(Duration.ofSeconds(10)).until(() -> p.counter("pump.sink.documents.retried") >= 10);
    double held = p.gauge("pump.sink.buffer.bytes");
    assertThat(held).isPositive().isLessThan(16_000);

    long start = System.nanoTime();
    RetriablePumpException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> p.pump.write(fixture.subList(10, 60), Deadline.after(Duration.ofMillis(500))),
        RetriablePumpException.class);

    assertThat(refused).as("a batch that does not fit waits for its deadline, then is refused").isNotNull();
    assertThat(refused.getMessage()).contains("still waiting for Elasticsearch").contains("buffer 16000 bytes");
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(450));
    assertThat(p.gauge("pump.sink.buffer.bytes")).isEqualTo(held);
    assertThat(retrying).isNotDone();
    p.pump.close();
    assertThat(retrying.get(10, TimeUnit.SECONDS).failures()).hasSize(10);
  }

  @Test
  void closeMakesAWriteBlockedOnTheBufferReturnAndFailsUnansweredDocuments() throws Exception {
    PumpUnderTest p = pump("\"bulk_config\":{\"bulk_size\":2000,\"flush_interval\":3600}");
    server.onBulk(r -> Reply.error(503, "unavailable"));
    List<CompletableFuture<WriteResult>> taken = new ArrayList<>();
    CompletableFuture<Throwable> blocked = new CompletableFuture<>();
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < 200; i++) {
          taken.add(p.pump.write(fixture.subList(i, i + 1), Deadline.NONE).toCompletableFuture());
        }
        blocked.complete(null);
      } catch (Throwable t) {
        blocked.complete(t);
      }
    });
    writer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> p.counter("pump.sink.documents.retried") > 0);
    assertThat(blocked).isNotDone();
    p.pump.close();
    assertThat(blocked.get(10, TimeUnit.SECONDS)).isNotNull().hasMessageContaining("closed");
    writer.join(10_000);
    for (CompletableFuture<WriteResult> s : taken) {
      assertThat(s.get(10, TimeUnit.SECONDS).failures()).singleElement()
          .satisfies(f -> {
            assertThat(f.reason()).contains("closed before Elasticsearch acknowledged");
            assertThat(f.retriable()).isTrue();
          });
    }
  }
}
