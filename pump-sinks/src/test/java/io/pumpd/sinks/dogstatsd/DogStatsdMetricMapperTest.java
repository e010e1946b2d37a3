package io.pumpd.sinks.dogstatsd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import io.pumpd.sinks.dogstatsd.DogStatsdMetricMapper.DogStatsdMetric;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The record-to-metric mapping against golden files written by an independent oracle ({@code
 * generate_golden.py} in the test resources, from the fixtures' JSON twins).
 */
class DogStatsdMetricMapperTest {
  private static final List<String> CONFIGURED = List.of("org_id", "path", "oauth_id", "tracked", "response_code");

  @ParameterizedTest(name = "{0} with {1} tags")
  @CsvSource({
    "tyk-records-modern, default",
    "tyk-records-modern, configured",
    "tyk-records-legacy, default",
    "tyk-records-legacy, configured"
  })
  @DisplayName("every fixture record maps to Tyk's request_time value and tags")
  void goldenFixtures(String fixture, String kind) throws IOException {
    List<AnalyticsRecord> records = Fixtures.records(fixture);
    List<JsonNode> golden = golden(fixture + "." + kind + "-tags.jsonl");
    DogStatsdMetricMapper mapper =
        new DogStatsdMetricMapper(kind.equals("default") ? List.of() : DogStatsdTag.resolve(CONFIGURED));

    assertThat(records).hasSameSizeAs(golden);
    for (int i = 0; i < records.size(); i++) {
      DogStatsdMetric m = mapper.map(records.get(i));
      List<String> expectedTags = new ArrayList<>();
      golden.get(i).get("tags").forEach(t -> expectedTags.add(t.asText()));
      assertThat(m.name()).isEqualTo("request_time");
      assertThat(m.value()).as("record %d value", i).isEqualTo(golden.get(i).get("value").asLong());
      assertThat(m.tags()).as("record %d tags", i).containsExactlyElementsOf(expectedTags);
    }
  }

  @Test
  @DisplayName("a configured path tag loses trailing slashes; the default set keeps them")
  void pathTrimming() {
    AnalyticsRecord r = new AnalyticsRecord().setPath("/users/1//").setMethod("GET");
    assertThat(new DogStatsdMetricMapper(DogStatsdTag.resolve(List.of("path"))).map(r).tags())
        .containsExactly("path:/users/1");
    assertThat(new DogStatsdMetricMapper(DogStatsdTag.resolve(List.of("path"))).map(r.copy().setPath("/")).tags())
        .containsExactly("path:");
    assertThat(new DogStatsdMetricMapper(List.of()).map(r).tags()).contains("path:/users/1//");
  }

  @Test
  @DisplayName("oauth_id is left out when empty, in both tag modes")
  void oauthOnlyWhenSet() {
    AnalyticsRecord r = new AnalyticsRecord().setOauthId("");
    assertThat(new DogStatsdMetricMapper(List.of()).map(r).tags()).noneMatch(t -> t.startsWith("oauth_id"));
    assertThat(new DogStatsdMetricMapper(DogStatsdTag.resolve(List.of("oauth_id", "method"))).map(r).tags())
        .containsExactly("method:");
    r.setOauthId("client-1");
    assertThat(new DogStatsdMetricMapper(List.of()).map(r).tags()).endsWith("oauth_id:client-1");
  }

  @Test
  @DisplayName("line feeds in a value are dropped, as Tyk's client drops them: a record cannot add metric lines")
  void newlinesCannotStartAnotherMetricLine() {
    AnalyticsRecord r = new AnalyticsRecord().setPath("/x\nevil.metric:1|c\n").setApiName("a\nb").setOauthId("\n");
    for (DogStatsdMetricMapper m : List.of(
        new DogStatsdMetricMapper(List.of()),
        new DogStatsdMetricMapper(DogStatsdTag.resolve(List.of("path", "api_name", "oauth_id"))))) {
      assertThat(m.map(r).tags()).noneMatch(t -> t.contains("\n"))
          .contains("path:/xevil.metric:1|c", "api_name:ab", "oauth_id:");
    }
  }

  @Test
  @DisplayName("every decodable record maps")
  void hostileRecords() {
    DogStatsdMetricMapper all = new DogStatsdMetricMapper(DogStatsdTag.resolve(
        List.of("method", "response_code", "api_version", "api_name", "api_id", "org_id", "tracked", "path", "oauth_id")));
    for (AnalyticsRecord r : HostileRecords.all().values()) {
      assertThat(all.map(r).value()).isEqualTo(r.getRequestTime());
      assertThat(new DogStatsdMetricMapper(List.of()).map(r).tags()).hasSizeGreaterThanOrEqualTo(8);
    }
  }

  private static List<JsonNode> golden(String resource) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                DogStatsdMetricMapperTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        out.add(json.readTree(line));
      }
    }
    return out;
  }
}
