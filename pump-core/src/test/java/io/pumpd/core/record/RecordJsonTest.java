package io.pumpd.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    String viaBytes = new String(RecordJson.mapper().writeValueAsBytes(r), java.nio.charset.StandardCharsets.UTF_8);
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
}
