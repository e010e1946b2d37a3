package io.pumpd.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.testing.HostileRecords;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link RecordJson}'s Go-compatible details beyond what the fixtures exercise. */
class RecordJsonTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "2026-11-20T14:00:00Z,           2026-11-20T14:00:00Z",
    "2026-11-20T14:00:00.000922Z,    2026-11-20T14:00:00.000922Z",
    "2026-11-20T14:00:00.5Z,         2026-11-20T14:00:00.5Z",
    "2026-11-20T14:00:00.123456789Z, 2026-11-20T14:00:00.123456789Z",
    "2026-11-20T14:00:00.100000Z,    2026-11-20T14:00:00.1Z",
    "0001-01-01T00:00:00Z,           0001-01-01T00:00:00Z",
    "1969-12-31T23:59:59.999999999Z, 1969-12-31T23:59:59.999999999Z",
  })
  void timesRenderAsGoRfc3339NanoInUtc(String instant, String go) {
    assertThat(RecordJson.formatTime(Instant.parse(instant))).isEqualTo(go);
  }

  @ParameterizedTest(name = "{0} in {1}")
  @CsvSource({
    "2026-11-20T14:00:00.000922Z,    Asia/Kathmandu,   2026-11-20T19:45:00.000922+05:45",
    "2026-11-20T14:00:00Z,           Pacific/Chatham,  2026-11-21T03:45:00+13:45",
    "2026-07-20T14:00:00Z,           Pacific/Chatham,  2026-07-21T02:45:00+12:45",
    "2026-11-20T14:00:00.5Z,         America/New_York, 2026-11-20T09:00:00.5-05:00",
    "2026-11-20T14:00:00Z,           Europe/London,    2026-11-20T14:00:00Z",
    "2026-11-20T14:00:00Z,           Etc/UTC,          2026-11-20T14:00:00Z",
    // Go's zero time in a zone: its local mean time, whose seconds Go's RFC 3339 drops
    "0001-01-01T00:00:00Z,           Asia/Kolkata,     0001-01-01T05:53:28+05:53",
    "0001-01-01T00:00:00Z,           America/New_York, 0000-12-31T19:03:58-04:56",
  })
  void timesInAZoneRenderWithItsOffsetAsGoDoes(String instant, String zone, String go) {
    assertThat(RecordJson.formatTime(Instant.parse(instant), ZoneId.of(zone))).isEqualTo(go);
  }

  @Test
  void aRecordsTimesAreRenderedInItsZoneAndACopyKeepsIt() {
    AnalyticsRecord r = new AnalyticsRecord()
        .setTimeStamp(Instant.parse("2026-11-20T14:00:00Z"))
        .setExpireAt(Instant.parse("2026-12-20T14:00:00Z"))
        .setZone(ZoneId.of("Australia/Adelaide"));
    String json = RecordJson.toJson(r.copy());
    assertThat(json).contains("\"timestamp\":\"2026-11-21T00:30:00+10:30\"")
        .contains("\"expireAt\":\"2026-12-21T00:30:00+10:30\"")
        .doesNotContain("\"zone\"");
    assertThat(RecordJson.toJson(r.setZone(ZoneOffset.UTC))).contains("\"timestamp\":\"2026-11-20T14:00:00Z\"");
    // a time RFC 3339 cannot write keeps its expanded UTC form whatever the zone
    assertThat(RecordJson.formatTime(Instant.parse("+10000-01-01T00:00:00Z"), ZoneId.of("Asia/Kathmandu")))
        .isEqualTo("+10000-01-01T00:00:00Z");
  }

  @Test
  void stringsAreEscapedAsGoEscapesThem() throws Exception {
    AnalyticsRecord r =
        new AnalyticsRecord()
            .setPath("/a?b=<x>&c=\u2028\u2029")
            .setUserAgent("tab\tnl\ncr\rbs\bff\fesc\u001bdel\u007f é 😀 \"q\" \\ /");
    String json = RecordJson.toJson(r);
    // json.Marshal in Go 1.22+: HTML-safe, lowercase hex, \b and \f short forms, '/' and DEL as is
    assertThat(json).contains("\"path\":\"/a?b=\\u003cx\\u003e\\u0026c=\\u2028\\u2029\"");
    assertThat(json)
        .contains("\"user_agent\":\"tab\\tnl\\ncr\\rbs\\bff\\fesc\\u001bdel\u007f é 😀 \\\"q\\\" \\\\ /\"");
    // the same through the byte-oriented generator sinks use: real UTF-8, no surrogate escapes
    String viaBytes = new String(RecordJson.mapper().writeValueAsBytes(r), StandardCharsets.UTF_8);
    assertThat(viaBytes).isEqualTo(json);
  }

  @Test
  void mapKeysAreSortedAsGoSortsThem() {
    Map<String, String> names = new LinkedHashMap<>();
    names.put("zh-CN", "新加坡");
    names.put("en", "Singapore");
    names.put("de", "Singapur");
    AnalyticsRecord r =
        new AnalyticsRecord()
            .setGeo(new GeoData(new GeoData.Country("SG"), new GeoData.City(1880252, names), GeoData.Location.EMPTY));
    assertThat(RecordJson.toJson(r))
        .contains("\"names\":{\"de\":\"Singapur\",\"en\":\"Singapore\",\"zh-CN\":\"新加坡\"}");
  }

  @Test
  void nilListsAndMapsAreNullAndCollectionNameIsNeverRendered() {
    AnalyticsRecord r = new AnalyticsRecord().setCollectionName("secret-routing").setTags(null);
    String json = RecordJson.toJson(r);
    assertThat(json).contains("\"tags\":null").contains("\"names\":null");
    assertThat(json).contains("\"graphql_stats\":{\"Variables\":\"\",\"RootFields\":null,\"Types\":null,\"Errors\":null");
    assertThat(json).doesNotContain("secret-routing").doesNotContainIgnoringCase("collection");
  }

  @Test
  void coordinatesRenderAsGoFloats() {
    AnalyticsRecord r =
        new AnalyticsRecord()
            .setGeo(new GeoData(GeoData.Country.EMPTY, GeoData.City.EMPTY, new GeoData.Location(1e-7, 100.0, "UTC")));
    assertThat(RecordJson.toJson(r)).contains("\"location\":{\"latitude\":1e-7,\"longitude\":100,\"time_zone\":\"UTC\"}");
  }

  @Test
  void graphErrorPathsRenderMixedTypes() {
    GraphQLStats q =
        new GraphQLStats("", List.of("user"), null,
            List.of(new GraphQLStats.GraphError("boom", List.of("user", 0L, "name"))), 1, true, true);
    assertThat(RecordJson.toJson(new AnalyticsRecord().setGraphQLStats(q)))
        .contains("\"Errors\":[{\"message\":\"boom\",\"path\":[\"user\",0,\"name\"]}]");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "+1000000000-12-31T23:59:59.999999999Z, +1000000000-12-31T23:59:59.999999999Z",
    "-1000000000-01-01T00:00:00Z,           -1000000000-01-01T00:00:00Z",
    "+999999999-12-31T23:59:59Z,            +999999999-12-31T23:59:59Z",
    "+10000-01-01T00:00:00.500Z,            +10000-01-01T00:00:00.5Z",
    "9999-12-31T23:59:59.999999999Z,        9999-12-31T23:59:59.999999999Z",
    "0000-01-01T00:00:00Z,                  0000-01-01T00:00:00Z",
    "-0001-12-31T23:59:59.000000010Z,       -0001-12-31T23:59:59.00000001Z",
  })
  void timesOutsideRfc3339sYearsUseIsoExpandedYears(String instant, String expected) {
    Instant t = Instant.parse(instant);
    assertThat(RecordJson.formatTime(t)).isEqualTo(expected);
    assertThat(Instant.parse(RecordJson.formatTime(t))).isEqualTo(t);
    assertThat(GoTime.hasFourDigitYear(t)).isEqualTo(!expected.startsWith("+") && !expected.startsWith("-"));
  }

  /** Seeded: any instant, from year -1e9 to 1e9, renders and reads back; inside [0, 9999] as before. */
  @Test
  void everyInstantRendersAndReadsBack() {
    Random random = new Random(20261122);
    for (int i = 0; i < 100_000; i++) {
      long seconds = i % 2 == 0
          ? Instant.MIN.getEpochSecond() + (long) (random.nextDouble() * (Instant.MAX.getEpochSecond() - (double) Instant.MIN.getEpochSecond()))
          : -62167219200L + (long) (random.nextDouble() * (253402300800L + 62167219200L));
      Instant t = Instant.ofEpochSecond(seconds, random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
      String s = RecordJson.formatTime(t);
      assertThat(Instant.parse(s)).as(s).isEqualTo(t);
      if (GoTime.hasFourDigitYear(t)) {
        assertThat(s).as(s).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?Z");
      } else {
        assertThat(s).as(s).matches("[+-]\\d{4,10}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?Z");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileRecords")
  void everyDecodableRecordRendersAsValidJson(String name, AnalyticsRecord r) throws Exception {
    String json = RecordJson.toJson(r);
    JsonNode tree = new ObjectMapper().readTree(json);
    assertThat(Instant.parse(tree.get("timestamp").asText())).isEqualTo(r.getTimeStamp());
    assertThat(Instant.parse(tree.get("expireAt").asText())).isEqualTo(r.getExpireAt());
    assertThat(RecordJson.mapper().writeValueAsBytes(r)).asString(StandardCharsets.UTF_8).isEqualTo(json);
  }

  static Stream<Arguments> hostileRecords() {
    return HostileRecords.all().entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @Test
  void theExtremeTimesOfTheAuditRenderInTheDocumentedForm() {
    AnalyticsRecord r = new AnalyticsRecord()
        .setTimeStamp(HostileRecords.YEAR_PLUS_1E9)
        .setExpireAt(HostileRecords.YEAR_MINUS_1E9);
    assertThat(RecordJson.toJson(r))
        .contains("\"timestamp\":\"" + HostileRecords.YEAR_PLUS_1E9_JSON + "\"")
        .contains("\"expireAt\":\"" + HostileRecords.YEAR_MINUS_1E9_JSON + "\"");
  }
}
