package io.pumpd.sinks.influx2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.sinks.influx2.testing.LinePoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The record-to-point mapping against golden files written by an independent oracle ({@code
 * generate_golden.py} in the test resources, from the fixtures' JSON twins).
 */
class Influx2PointMapperTest {
  static final List<String> CUSTOM_TAGS =
      List.of("method", "response_code", "time_stamp", "path", "oauth_id", "api_version");
  static final List<String> CUSTOM_FIELDS =
      List.of("api_key", "api_name", "api_id", "org_id", "raw_request", "request_time", "raw_response",
          "ip_address", "total_latency", "upstream_latency");

  @ParameterizedTest(name = "{0}, {1} config")
  @CsvSource({
    "tyk-records-modern, custom",
    "tyk-records-modern, default",
    "tyk-records-legacy, custom",
    "tyk-records-legacy, default"
  })
  @DisplayName("fixture records map to Tyk's tags and typed fields, at the record's time in us")
  void goldenFixtures(String fixture, String config) throws IOException {
    List<AnalyticsRecord> records = Fixtures.records(fixture);
    List<JsonNode> golden = golden(fixture + "." + config + ".jsonl");
    Influx2PointMapper mapper =
        config.equals("custom")
            ? mapper(CUSTOM_TAGS, CUSTOM_FIELDS)
            : mapper(List.of(), Influx2Settings.DEFAULT_FIELDS);

    for (int i = 0; i < golden.size(); i++) {
      Point p = mapper.map(records.get(i));
      JsonNode g = golden.get(i);
      Map<String, String> tags = new LinkedHashMap<>();
      g.get("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
      Map<String, Object> fields = new LinkedHashMap<>();
      g.get("fields").fields().forEachRemaining(e -> fields.put(e.getKey(),
          e.getValue().get(0).asText().equals("i") ? (Object) e.getValue().get(1).asLong() : e.getValue().get(1).asText()));

      LinePoint line = LinePoint.parse(p.toLineProtocol());
      assertThat(line.measurement()).isEqualTo("analytics");
      assertThat(line.tags()).as("record %d tags", i).isEqualTo(tags);
      assertThat(line.fields()).as("record %d fields", i).isEqualTo(fields);
      assertThat(line.timestamp()).as("record %d time", i).isEqualTo(g.get("time").asLong());
      assertThat(p.getPrecision()).isEqualTo(WritePrecision.US);
    }
  }

  @Test
  @DisplayName("tag values are Go JSON text with the quotes trimmed, as in Tyk")
  void tagRendering() {
    AnalyticsRecord r =
        new AnalyticsRecord()
            .setPath("/a<b>&\"c\"")
            .setResponseCode(200)
            .setTimeStamp(Instant.parse("2026-11-20T14:00:00.000922Z"));
    Point p = mapper(List.of("path", "response_code", "time_stamp"), List.of("request_time")).map(r);
    assertThat(p.getTags())
        .containsEntry("path", "/a\\u003cb\\u003e\\u0026\\\"c\\")
        .containsEntry("response_code", "200")
        .containsEntry("time_stamp", "2026-11-20T14:00:00.000922Z");
  }

  @Test
  @DisplayName("a record with Go's zero time gets the write time; others keep their own")
  void zeroTimeUsesWriteTime() {
    Influx2PointMapper mapper = new Influx2PointMapper(List.of(), resolve(List.of("request_time")), () -> 42L);
    assertThat(mapper.timeMicros(new AnalyticsRecord().setTimeStamp(GoTime.ZERO))).isEqualTo(42L);
    assertThat(mapper.timeMicros(new AnalyticsRecord().setTimeStamp(Instant.parse("2026-11-20T14:00:00.000922999Z"))))
        .isEqualTo(1_795_183_200_000_922L);
  }

  @Test
  @DisplayName("the default fields leave out names configured as tags")
  void defaultFieldsMinusTags() throws Exception {
    Influx2Settings s = new ObjectMapper().readValue("{\"tags\":[\"response_code\"]}", Influx2Settings.class);
    assertThat(s.effectiveFields()).containsExactly("request_time", "total_latency", "upstream_latency");
  }

  static Influx2PointMapper mapper(List<String> tags, List<String> fields) {
    return new Influx2PointMapper(resolve(tags), resolve(fields), () -> {
      throw new AssertionError("fixture records all carry a time");
    });
  }

  static List<Influx2Attribute> resolve(List<String> names) {
    List<Influx2Attribute> out = new ArrayList<>();
    names.forEach(n -> out.add(Influx2Attribute.byName(n).orElseThrow()));
    return out;
  }

  private static List<JsonNode> golden(String resource) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        Influx2PointMapperTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        out.add(json.readTree(line));
      }
    }
    return out;
  }
}
