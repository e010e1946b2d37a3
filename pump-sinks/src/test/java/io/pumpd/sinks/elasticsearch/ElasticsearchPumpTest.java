package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch.StoredDocument;
import io.pumpd.sinks.elasticsearch.testing.TcpProxy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pump against a real Elasticsearch 8 node ({@link EmbeddedElasticsearch}). */
class ElasticsearchPumpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);

  private final EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private PumpUnderTest pump(String url, String extraMeta) throws Exception {
    String meta = "{\"elasticsearch_url\":\"" + url + "\"," + extraMeta + "}";
    PumpUnderTest p = new PumpUnderTest("es-" + toClose.size(), meta);
    toClose.add(p);
    return p;
  }

  private static List<List<AnalyticsRecord>> batches(List<AnalyticsRecord> records, int size) {
    List<List<AnalyticsRecord>> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i += size) {
      out.add(records.subList(i, Math.min(records.size(), i + size)));
    }
    return out;
  }

  private static Map<String, AnalyticsRecord> byId(List<AnalyticsRecord> records) {
    return records.stream().collect(Collectors.toMap(DocumentIds::idFor, r -> r));
  }

  @Test
  void indexesEveryFixtureRecordWithTyksMappingRollingIndicesAndMcpRouting() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("tyk");
    String mcpIndex = EmbeddedElasticsearch.uniqueIndex("mcp");
    PumpUnderTest p = pump(es.url(),
        "\"index_name\":\"" + index + "\",\"mcp_index_name\":\"" + mcpIndex + "\",\"rolling_index\":true,"
            + "\"extended_stats\":true,\"decode_base64\":true,\"generate_id\":true,\"version\":\"8\"");
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);

    List<CompletableFuture<WriteResult>> stages = new ArrayList<>();
    for (List<AnalyticsRecord> batch : batches(records, 100)) {
      stages.add(p.pump.write(batch, Deadline.after(Duration.ofSeconds(60))).toCompletableFuture());
    }
    int delivered = 0;
    for (CompletableFuture<WriteResult> s : stages) {
      WriteResult r = s.get(60, TimeUnit.SECONDS);
      assertThat(r.failures()).isEmpty();
      delivered += r.delivered();
    }
    assertThat(delivered).isEqualTo(records.size());
    assertThat(p.counter("pump.sink.documents.sent")).isEqualTo(records.size());
    assertThat(p.counter("pump.sink.documents.failed")).isZero();

    // index names: <index>-<record's UTC day>, MCP records in the MCP index
    Set<String> expectedIndices = records.stream()
        .map(r -> (r.getMcpStats().isMcp() ? mcpIndex : index) + "-" + DAY.format(r.getTimeStamp()))
        .collect(Collectors.toSet());
    List<StoredDocument> docs = es.documents(index + "*," + mcpIndex + "*");
    assertThat(docs).hasSize(records.size());
    assertThat(docs.stream().map(StoredDocument::index).collect(Collectors.toSet())).isEqualTo(expectedIndices);

    // every stored document is the record's Tyk document, field for field
    Map<String, AnalyticsRecord> byId = byId(records);
    ElasticsearchDocumentMapper mapper = new ElasticsearchDocumentMapper(index, mcpIndex, true, true, true, true);
    for (StoredDocument d : docs) {
      AnalyticsRecord r = byId.get(d.id());
      assertThat(r).as("record for id %s", d.id()).isNotNull();
      assertThat(d.index()).isEqualTo(mapper.index(r));
      JsonNode expected = JSON.readTree(mapper.documentBytes(r));
      assertThat((JsonNode) d.source()).isEqualTo(expected);
      assertThat(d.source().get("http_method").asText()).isEqualTo(r.getMethod());
      assertThat(d.source().get("request_time_ms").asLong()).isEqualTo(r.getRequestTime());
      if (!r.getRawRequest().isEmpty()) {
        assertThat(d.source().get("raw_request").asText()).as("decode_base64").startsWith(r.getMethod() + " ");
      }
      assertThat(d.source().has("mcp_method")).isEqualTo(r.getMcpStats().isMcp());
    }
    long mcpCount = records.stream().filter(r -> r.getMcpStats().isMcp()).count();
    assertThat(es.count(mcpIndex + "*")).isEqualTo(mcpCount).isPositive();

    // the index template mapped the fields before the first document arrived
    String someIndex = expectedIndices.iterator().next();
    JsonNode props = es.mapping(someIndex).path("properties");
    assertThat(props.path("api_id").path("type").asText()).isEqualTo("keyword");
    assertThat(props.path("@timestamp").path("type").asText()).isEqualTo("date");
    assertThat(props.path("response_code").path("type").asText()).isEqualTo("integer");
    assertThat(props.path("request_time_ms").path("type").asText()).isEqualTo("long");
  }

  @Test
  void generateIdMakesAReplayOverwriteInsteadOfDuplicating() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("replay");
    PumpUnderTest p = pump(es.url(), "\"index_name\":\"" + index + "\",\"generate_id\":true");
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN).subList(0, 300);
    assertThat(p.writeAndWait(records).delivered()).isEqualTo(300);
    assertThat(p.writeAndWait(records).delivered()).isEqualTo(300);
    assertThat(es.count(index)).isEqualTo(300);
    assertThat(es.documents(index).stream().map(StoredDocument::id).collect(Collectors.toSet()))
        .isEqualTo(byId(records).keySet());
  }

  @Test
  void withoutGenerateIdElasticsearchAssignsIds() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("noid");
    PumpUnderTest p = pump(es.url(), "\"index_name\":\"" + index + "\"");
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.LEGACY).subList(0, 50);
    p.writeAndWait(records);
    p.writeAndWait(records);
    assertThat(es.count(index)).isEqualTo(100);
  }

  /** A user's existing index maps api_version as a number: documents that don't fit are failed, the rest indexed. */
  @Test
  void documentsViolatingTheMappingAreFailedWithTheReasonAndTheRestIndexed() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("conflict");
    createIndexMappingApiVersionAsLong(index);
    PumpUnderTest p = pump(es.url(), "\"index_name\":\"" + index + "\",\"generate_id\":true,\"install_template\":false");
    List<AnalyticsRecord> records = new ArrayList<>();
    List<AnalyticsRecord> bad = new ArrayList<>();
    List<AnalyticsRecord> source = Fixtures.records(Fixtures.MODERN).subList(0, 60);
    for (int i = 0; i < source.size(); i++) {
      AnalyticsRecord r = source.get(i).copy();
      if (i % 12 == 5) {
        r.setApiVersion("Non Versioned");
        bad.add(r);
      } else {
        r.setApiVersion(Integer.toString(i));
      }
      records.add(r);
    }

    WriteResult result = p.writeAndWait(records);

    assertThat(result.delivered()).isEqualTo(records.size() - bad.size());
    assertThat(result.failures()).hasSize(bad.size());
    assertThat(result.failures()).allSatisfy(f -> {
      assertThat(bad).contains(f.record());
      assertThat(f.reason()).contains("status 400").contains("api_version").containsPattern("(mapper|document)_parsing_exception");
      assertThat(f.retriable()).as("a rejection of the document itself").isFalse();
    });
    assertThat(p.counter("pump.sink.documents.failed")).isEqualTo(bad.size());
    assertThat(p.counter("pump.sink.documents.sent")).isEqualTo(records.size() - bad.size());
    assertThat(es.count(index)).isEqualTo(records.size() - bad.size());
    Set<String> stored = es.documents(index).stream().map(StoredDocument::id).collect(Collectors.toSet());
    assertThat(stored).doesNotContainAnyElementsOf(byId(bad).keySet());
  }

  /**
   * Records with times at year ±1e9 among good ones, bulk and one by one: the good ones are all
   * indexed; an extreme one is sent in the documented form and Elasticsearch decides (indexed, or
   * rejected with its own reason, that document alone).
   */
  @ParameterizedTest(name = "disable_bulk={0}")
  @ValueSource(booleans = {false, true})
  void extremeTimesAreSentInTheDocumentedFormAndOnlyElasticsearchCanRejectThem(boolean disableBulk) throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("extreme");
    PumpUnderTest p = pump(es.url(), "\"index_name\":\"" + index + "\",\"rolling_index\":true,\"generate_id\":true,"
        + "\"disable_bulk\":" + disableBulk);
    List<AnalyticsRecord> good = Fixtures.records(Fixtures.MODERN).subList(0, 200);
    AnalyticsRecord plus = HostileRecords.timeStampYearPlus1e9();
    AnalyticsRecord minus = HostileRecords.expireAtYearMinus1e9().setTimeStamp(HostileRecords.YEAR_MINUS_1E9);
    List<AnalyticsRecord> records = new ArrayList<>(good);
    records.add(100, plus);
    records.add(minus);

    WriteResult result = p.writeAndWait(records);

    assertThat(result.delivered() + result.failures().size()).isEqualTo(records.size());
    assertThat(result.failures()).extracting(f -> f.record()).isSubsetOf(plus, minus);
    assertThat(result.failures()).allSatisfy(f -> {
      assertThat(f.retriable()).isFalse();
      assertThat(f.reason()).as("Elasticsearch's answer, not a rendering failure")
          .doesNotContain("cannot render").doesNotContain("DateTimeException").containsPattern("400");
    });
    assertThat(es.count(index + "-2026.11.20")).isEqualTo(good.size());
    Set<AnalyticsRecord> failed = result.failures().stream().map(f -> f.record()).collect(Collectors.toSet());
    for (AnalyticsRecord extreme : List.of(plus, minus)) {
      if (!failed.contains(extreme)) {
        String stored = es.documents(index + "*").stream().filter(d -> d.id().equals(DocumentIds.idFor(extreme)))
            .findFirst().orElseThrow().source().get("@timestamp").asText();
        assertThat(Instant.parse(stored)).isEqualTo(extreme.getTimeStamp());
      }
    }
  }

  private void createIndexMappingApiVersionAsLong(String index) throws Exception {
    String body = "{\"mappings\":{\"properties\":{\"api_version\":{\"type\":\"long\"}}}}";
    es.client().indices().create(c -> c.index(index).withJson(
        new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void elasticsearchGoingDownMidRunLosesAndDuplicatesNothing() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("outage");
    TcpProxy proxy = new TcpProxy("127.0.0.1", es.port());
    toClose.add(proxy);
    PumpUnderTest p = pump(proxy.url(), "\"index_name\":\"" + index + "\",\"generate_id\":true");
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    List<AnalyticsRecord> before = records.subList(0, 300);
    List<AnalyticsRecord> during = records.subList(300, 700);

    assertThat(p.writeAndWait(before).delivered()).isEqualTo(300);
    await().atMost(Duration.ofSeconds(30)).until(() -> p.pump.readiness().isEmpty());

    proxy.cut();
    List<CompletableFuture<WriteResult>> stages = new ArrayList<>();
    for (List<AnalyticsRecord> b : batches(during, 100)) {
      stages.add(p.pump.write(b, Deadline.NONE).toCompletableFuture());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> p.pump.readiness().isPresent());
    assertThat(p.pump.readiness().orElseThrow()).contains("unreachable");
    await().atMost(Duration.ofSeconds(30)).until(() -> p.counter("pump.sink.documents.retried") >= 400);
    assertThat(stages).noneMatch(CompletableFuture::isDone);

    proxy.restore();
    int delivered = 0;
    for (CompletableFuture<WriteResult> s : stages) {
      WriteResult r = s.get(60, TimeUnit.SECONDS);
      assertThat(r.failures()).isEmpty();
      delivered += r.delivered();
    }
    assertThat(delivered).isEqualTo(400);
    await().atMost(Duration.ofSeconds(30)).until(() -> p.pump.readiness().isEmpty());

    // the core re-delivers what it could not be sure about: still one document per record
    assertThat(p.writeAndWait(before).delivered()).isEqualTo(300);
    assertThat(es.count(index)).isEqualTo(700);
    assertThat(es.documents(index).stream().map(StoredDocument::id).collect(Collectors.toSet()))
        .isEqualTo(byId(records.subList(0, 700)).keySet());
    assertThat(p.counter("pump.sink.documents.failed")).isZero();
  }

  @Test
  void unreachableAtStartStartsAnywayAndDeliversOnceBackWithTheTemplateFirst() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("late");
    TcpProxy proxy = new TcpProxy("127.0.0.1", es.port());
    toClose.add(proxy);
    proxy.cut();
    PumpUnderTest p = pump(proxy.url(), "\"index_name\":\"" + index + "\",\"rolling_index\":true");
    assertThat(p.pump.readiness()).isPresent();

    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN).subList(0, 100);
    CompletableFuture<WriteResult> stage = p.pump.write(records, Deadline.NONE).toCompletableFuture();
    await().atMost(Duration.ofSeconds(30)).until(() -> p.pump.readiness().orElse("").contains("unreachable"));
    assertThat(stage).isNotDone();

    proxy.restore();
    assertThat(stage.get(60, TimeUnit.SECONDS).delivered()).isEqualTo(100);
    await().atMost(Duration.ofSeconds(30)).until(() -> p.pump.readiness().isEmpty());
    String created = es.indices(index + "-*").get(0);
    assertThat(es.mapping(created).path("properties").path("api_key").path("type").asText())
        .as("mapped by the template, not dynamically as text").isEqualTo("keyword");
  }

  @Test
  void flushSendsWhatIsBufferedAndWaitsForTheAnswers() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("flush");
    PumpUnderTest p = pump(es.url(),
        "\"index_name\":\"" + index + "\",\"bulk_config\":{\"flush_interval\":3600,\"bulk_actions\":1000}");
    await().atMost(Duration.ofSeconds(30)).until(() -> p.pump.readiness().isEmpty());
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN).subList(0, 10);
    CompletableFuture<WriteResult> stage = p.pump.write(records, Deadline.NONE).toCompletableFuture();
    await().atMost(Duration.ofSeconds(10)).until(() -> p.gauge("pump.sink.bulk.pending.operations") == 10);
    assertThat(stage).isNotDone();

    p.flush(Duration.ofSeconds(30));

    assertThat(stage).isCompletedWithValueMatching(r -> r.delivered() == 10 && r.failures().isEmpty());
    assertThat(p.gauge("pump.sink.bulk.pending.operations")).isZero();
    assertThat(p.gauge("pump.sink.documents.unacknowledged")).isZero();
    assertThat(es.count(index)).isEqualTo(10);
    p.pump.close();
    assertThatThrownBy(() -> p.pump.write(records, Deadline.NONE)).isInstanceOf(PumpException.class);
  }

  @Test
  void aQuietGatewaysRecordsShowUpWithinSecondsByDefault() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("quiet");
    PumpUnderTest p = pump(es.url(), "\"index_name\":\"" + index + "\"");
    CompletableFuture<WriteResult> stage =
        p.pump.write(Fixtures.records(Fixtures.MODERN).subList(0, 3), Deadline.NONE).toCompletableFuture();
    assertThat(stage.get(10, TimeUnit.SECONDS).delivered()).isEqualTo(3);
    assertThat(es.count(index)).isEqualTo(3);
  }

  @Test
  void disableBulkIndexesOneByOneHonouringMcpIndexAndFailingBadDocuments() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("single");
    String mcpIndex = EmbeddedElasticsearch.uniqueIndex("single-mcp");
    createIndexMappingApiVersionAsLong(index);
    PumpUnderTest p = pump(es.url(),
        "\"index_name\":\"" + index + "\",\"mcp_index_name\":\"" + mcpIndex + "\",\"disable_bulk\":true,"
            + "\"generate_id\":true,\"install_template\":false");
    List<AnalyticsRecord> records = new ArrayList<>();
    for (AnalyticsRecord r : Fixtures.records(Fixtures.MODERN).subList(0, 120)) {
      records.add(r.copy().setApiVersion(r.getMcpStats().isMcp() ? "x" : "1"));
    }
    AnalyticsRecord bad = records.stream().filter(r -> !r.getMcpStats().isMcp()).findFirst().orElseThrow();
    bad.setApiVersion("not a number");
    long mcp = records.stream().filter(r -> r.getMcpStats().isMcp()).count();
    assertThat(mcp).isPositive();

    WriteResult result = p.pump.write(records, Deadline.after(Duration.ofSeconds(60))).toCompletableFuture().getNow(null);

    assertThat(result).as("complete when write returns").isNotNull();
    assertThat(result.failures()).singleElement().satisfies(f -> {
      assertThat(f.record()).isSameAs(bad);
      assertThat(f.reason()).contains("HTTP 400").contains("api_version");
    });
    assertThat(result.delivered()).isEqualTo(records.size() - 1);
    assertThat(es.count(mcpIndex)).isEqualTo(mcp);
    assertThat(es.count(index)).isEqualTo(records.size() - 1 - mcp);
  }

  @Test
  void version7SettingsAlsoWorkAgainstAnElasticsearch8Cluster() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("v7");
    PumpUnderTest p = pump(es.url(), "\"index_name\":\"" + index + "\",\"version\":\"7\",\"document_type\":\"ignored\"");
    assertThat(p.writeAndWait(Fixtures.records(Fixtures.MODERN).subList(0, 20)).delivered()).isEqualTo(20);
    assertThat(es.count(index)).isEqualTo(20);
    assertThat(es.mapping(index).path("properties").path("api_id").path("type").asText()).isEqualTo("keyword");
  }

  @Test
  void metricsAreTaggedWithThePump() throws Exception {
    String index = EmbeddedElasticsearch.uniqueIndex("meters");
    PumpUnderTest p = pump(es.url(), "\"index_name\":\"" + index + "\"");
    p.writeAndWait(Fixtures.records(Fixtures.LEGACY).subList(0, 7));
    assertThat(p.counter("pump.sink.documents.sent")).isEqualTo(7);
    assertThat(p.counter("pump.sink.documents.failed")).isZero();
    assertThat(p.counter("pump.sink.documents.retried")).isZero();
    // the ingester lowers its in-flight count just after the listener completed the write
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> p.gauge("pump.sink.bulk.pending.requests") == 0);
    Map<String, Double> meters = new HashMap<>();
    p.registry.getMeters().forEach(m -> meters.put(m.getId().getName(), 0.0));
    assertThat(meters).containsKeys("pump.sink.documents.sent", "pump.sink.documents.failed",
        "pump.sink.documents.retried", "pump.sink.bulk.pending.operations", "pump.sink.bulk.pending.requests",
        "pump.sink.documents.unacknowledged", "pump.sink.buffer.bytes");
    p.close();
    assertThat(p.registry.getMeters()).isEmpty();
  }
}
