package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ElasticsearchDocumentMapperTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ElasticsearchDocumentMapper mapper(boolean extended, boolean decode) {
    return new ElasticsearchDocumentMapper("tyk_analytics", "", false, extended, decode, false);
  }

  /**
   * The golden rule, checked for every fixture record: the document is Tyk's getMapping() of the
   * record, built here independently from the record's Tyk JSON (the .jsonl twin).
   */
  @ParameterizedTest
  @ValueSource(strings = {Fixtures.MODERN, Fixtures.LEGACY})
  void documentsMatchTykFieldMappingForEveryFixtureRecord(String fixture) throws Exception {
    List<AnalyticsRecord> records = Fixtures.records(fixture);
    List<String> lines = Fixtures.jsonLines(fixture);
    assertThat(records).hasSameSizeAs(lines);
    ElasticsearchDocumentMapper plain = mapper(false, false);
    ElasticsearchDocumentMapper extended = mapper(true, false);
    int mcp = 0;
    for (int i = 0; i < records.size(); i++) {
      JsonNode tyk = JSON.readTree(lines.get(i));
      ObjectNode expected = expectedDocument(tyk, false);
      assertThat(normalized(plain.document(records.get(i)))).as("record %d of %s", i, fixture).isEqualTo(expected);
      assertThat(normalized(extended.document(records.get(i)))).as("extended, record %d", i)
          .isEqualTo(expectedDocument(tyk, true));
      assertThat(JSON.readTree(plain.documentBytes(records.get(i)))).isEqualTo(expected);
      mcp += tyk.path("mcp_stats").path("is_mcp").asBoolean() ? 1 : 0;
    }
    if (fixture.equals(Fixtures.MODERN)) {
      assertThat(mcp).as("the modern fixture exercises MCP records").isPositive();
    }
  }

  /** As parsed back from JSON (numbers as the parser types them). */
  private static JsonNode normalized(ObjectNode doc) throws Exception {
    return JSON.readTree(JSON.writeValueAsString(doc));
  }

  private static ObjectNode expectedDocument(JsonNode tyk, boolean extended) {
    ObjectNode d = JSON.createObjectNode();
    d.set("@timestamp", tyk.get("timestamp"));
    d.set("http_method", tyk.get("method"));
    d.set("request_uri", tyk.get("path"));
    d.set("request_uri_full", tyk.get("raw_path"));
    d.set("response_code", tyk.get("response_code"));
    d.set("ip_address", tyk.get("ip_address"));
    d.set("api_key", tyk.get("api_key"));
    d.set("api_version", tyk.get("api_version"));
    d.set("api_name", tyk.get("api_name"));
    d.set("api_id", tyk.get("api_id"));
    d.set("org_id", tyk.get("org_id"));
    d.set("oauth_id", tyk.get("oauth_id"));
    d.set("request_time_ms", tyk.get("request_time"));
    d.set("alias", tyk.get("alias"));
    d.set("content_length", tyk.get("content_length"));
    d.set("tags", tyk.get("tags"));
    if (extended) {
      d.set("raw_request", tyk.get("raw_request"));
      d.set("raw_response", tyk.get("raw_response"));
      d.set("user_agent", tyk.get("user_agent"));
    }
    JsonNode mcp = tyk.path("mcp_stats");
    if (mcp.path("is_mcp").asBoolean()) {
      d.set("mcp_method", mcp.get("jsonrpc_method"));
      d.set("mcp_primitive_type", mcp.get("primitive_type"));
      d.set("mcp_primitive_name", mcp.get("primitive_name"));
    }
    return d;
  }

  @Test
  void keysAreInGoMapOrder() {
    AnalyticsRecord r = Fixtures.records(Fixtures.MODERN).get(0).copy()
        .setMcpStats(new McpStats(true, "tools/call", "tool", "get_weather"));
    List<String> keys = new ArrayList<>();
    Iterator<String> it = mapper(true, false).document(r).fieldNames();
    it.forEachRemaining(keys::add);
    assertThat(keys).isSorted().contains("@timestamp", "mcp_method", "user_agent").hasSize(22);
  }

  @Test
  void tykExampleRecord() throws Exception {
    AnalyticsRecord r =
        new AnalyticsRecord()
            .setMethod("GET").setHost("httpbin.org").setPath("/httpbin/get").setRawPath("/httpbin/get")
            .setUserAgent("curl/8.5.0").setResponseCode(200).setApiKey("6129dc1e8b64c6b4")
            .setTimeStamp(Instant.parse("2022-11-16T03:01:54.648Z")).setApiVersion("Non Versioned")
            .setApiName("httpbin").setApiId("727dad853a8a45f64ab981154d1ffdad")
            .setOrgId("5e9d9544a1dcd60001d0ed20").setRequestTime(3).setIpAddress("172.18.0.1")
            .setTags(List.of("key-6129dc1e8b64c6b4", "org-5e9d9544a1dcd60001d0ed20"));
    String expected =
        "{\"@timestamp\":\"2022-11-16T03:01:54.648Z\",\"alias\":\"\",\"api_id\":\"727dad853a8a45f64ab981154d1ffdad\","
            + "\"api_key\":\"6129dc1e8b64c6b4\",\"api_name\":\"httpbin\",\"api_version\":\"Non Versioned\","
            + "\"content_length\":0,\"http_method\":\"GET\",\"ip_address\":\"172.18.0.1\",\"oauth_id\":\"\","
            + "\"org_id\":\"5e9d9544a1dcd60001d0ed20\",\"request_time_ms\":3,\"request_uri\":\"/httpbin/get\","
            + "\"request_uri_full\":\"/httpbin/get\",\"response_code\":200,"
            + "\"tags\":[\"key-6129dc1e8b64c6b4\",\"org-5e9d9544a1dcd60001d0ed20\"]}";
    assertThat(new String(mapper(false, false).documentBytes(r), "UTF-8")).isEqualTo(expected);
  }

  @Test
  void decodeBase64AppliesToRawFieldsWithExtendedStatsOnly() {
    AnalyticsRecord r = new AnalyticsRecord()
        .setRawRequest("R0VUIC8gSFRUUC8xLjENCkhvc3Q6IGV4YW1wbGUNCg0K")
        .setRawResponse("not base64 at all!")
        .setUserAgent("curl/8.5.0");
    ObjectNode decoded = mapper(true, true).document(r);
    assertThat(decoded.get("raw_request").asText()).isEqualTo("GET / HTTP/1.1\r\nHost: example\r\n\r\n");
    assertThat(decoded.get("raw_response").asText()).as("kept as it is").isEqualTo("not base64 at all!");
    assertThat(decoded.get("user_agent").asText()).isEqualTo("curl/8.5.0");
    ObjectNode raw = mapper(true, false).document(r);
    assertThat(raw.get("raw_request").asText()).isEqualTo("R0VUIC8gSFRUUC8xLjENCkhvc3Q6IGV4YW1wbGUNCg0K");
    assertThat(mapper(false, true).document(r).has("raw_request")).isFalse();
    assertThat(mapper(false, true).document(r).has("user_agent")).isFalse();
  }

  @Test
  void fixtureRawRequestsDecodeToHttpText() {
    ElasticsearchDocumentMapper m = mapper(true, true);
    AnalyticsRecord withRaw = Fixtures.records(Fixtures.MODERN).stream()
        .filter(r -> !r.getRawRequest().isEmpty()).findFirst().orElseThrow();
    String text = m.document(withRaw).get("raw_request").asText();
    assertThat(text).startsWith(withRaw.getMethod() + " ").contains(" HTTP/1.1\r\n");
  }

  @Test
  void rollingIndexUsesTheRecordsUtcDate() {
    ElasticsearchDocumentMapper m = new ElasticsearchDocumentMapper("tyk_analytics", "mcp_analytics", true, false, false, false);
    AnalyticsRecord late = new AnalyticsRecord().setTimeStamp(Instant.parse("2026-11-20T23:59:59.999999999Z"));
    AnalyticsRecord next = new AnalyticsRecord().setTimeStamp(Instant.parse("2026-11-21T00:00:00Z"));
    assertThat(m.index(late)).isEqualTo("tyk_analytics-2026.11.20");
    assertThat(m.index(next)).isEqualTo("tyk_analytics-2026.11.21");
    AnalyticsRecord mcp = next.copy().setMcpStats(new McpStats(true, "tools/list", "", ""));
    assertThat(m.index(mcp)).isEqualTo("mcp_analytics-2026.11.21");
    assertThat(m.index(new AnalyticsRecord())).isEqualTo("tyk_analytics-0001.01.01");
  }

  @Test
  void mcpRecordsGoToMcpIndexOnlyWhenSet() {
    AnalyticsRecord mcp = new AnalyticsRecord().setMcpStats(new McpStats(true, "tools/call", "tool", "x"));
    assertThat(new ElasticsearchDocumentMapper("a", "b", false, false, false, false).index(mcp)).isEqualTo("b");
    assertThat(new ElasticsearchDocumentMapper("a", "", false, false, false, false).index(mcp)).isEqualTo("a");
    assertThat(new ElasticsearchDocumentMapper("a", "b", false, false, false, false).index(new AnalyticsRecord())).isEqualTo("a");
  }

  @Test
  void idOnlyWithGenerateId() {
    AnalyticsRecord r = Fixtures.records(Fixtures.MODERN).get(3);
    assertThat(new ElasticsearchDocumentMapper("a", "", false, false, false, true).id(r)).isEqualTo(DocumentIds.idFor(r));
    assertThat(mapper(false, false).id(r)).isNull();
  }

  @Test
  void rollingIndexTakesAnyYearAsTimestampWritesIt() {
    ElasticsearchDocumentMapper m = new ElasticsearchDocumentMapper("tyk_analytics", "", true, false, false, false);
    assertThat(m.index(new AnalyticsRecord().setTimeStamp(HostileRecords.YEAR_PLUS_1E9)))
        .isEqualTo("tyk_analytics-+1000000000.12.31");
    assertThat(m.index(new AnalyticsRecord().setTimeStamp(HostileRecords.YEAR_MINUS_1E9)))
        .isEqualTo("tyk_analytics--1000000000.01.01");
    assertThat(m.index(new AnalyticsRecord().setTimeStamp(Instant.parse("+10000-01-01T00:00:00Z"))))
        .isEqualTo("tyk_analytics-+10000.01.01");
    assertThat(m.index(new AnalyticsRecord().setTimeStamp(Instant.parse("-0001-12-31T23:59:59Z"))))
        .isEqualTo("tyk_analytics--0001.12.31");
    assertThat(m.index(new AnalyticsRecord().setTimeStamp(Instant.parse("9999-12-31T23:59:59Z"))))
        .isEqualTo("tyk_analytics-9999.12.31");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileRecords")
  void everyDecodableRecordMapsToADocumentAnIndexAndAnId(String name, AnalyticsRecord r) throws Exception {
    ElasticsearchDocumentMapper m = new ElasticsearchDocumentMapper("tyk_analytics", "mcp", true, true, true, true);
    JsonNode doc = JSON.readTree(m.documentBytes(r));
    assertThat(Instant.parse(doc.get("@timestamp").asText())).isEqualTo(r.getTimeStamp());
    assertThat(doc.get("request_uri").asText()).isEqualTo(r.getPath());
    assertThat(m.index(r)).startsWith("tyk_analytics-");
    assertThat(m.id(r)).hasSize(16);
  }

  static Stream<Arguments> hostileRecords() {
    return HostileRecords.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }
}
