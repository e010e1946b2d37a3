package io.pumpd.sinks.stdout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StdoutPumpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

  private StdoutPump pump(String meta) throws Exception {
    return new StdoutPump(JSON.readValue(meta, StdoutSettings.class), out, clock);
  }

  private List<String> lines() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonFormatPrintsOneObjectPerRecordWithTheRecordUnderTheLogField() throws Exception {
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    List<String> expected = Fixtures.jsonLines(Fixtures.MODERN);
    WriteResult r = pump("{\"format\": \"json\", \"use_legacy_payload_format\": true}")
        .write(records, Deadline.NONE).toCompletableFuture().join();
    assertThat(r.delivered()).isEqualTo(1000);
    List<String> lines = lines();
    assertThat(lines).hasSize(1000);
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = JSON.readTree(lines.get(i));
      assertThat(line.get("level").asText()).isEqualTo("info");
      assertThat(line.get("time").asText()).isEqualTo("2026-11-21T10:00:00Z");
      assertThat(line.get("tyk-analytics-record")).as("line %d", i)
          .isEqualTo(JSON.readTree(expected.get(i)));
    }
  }

  @Test
  void theLogFieldNameIsConfigurable() throws Exception {
    pump("{\"format\": \"json\", \"log_field_name\": \"rec\"}")
        .write(Fixtures.records(Fixtures.MODERN).subList(0, 1), Deadline.NONE);
    assertThat(JSON.readTree(lines().get(0)).has("rec")).isTrue();
  }

  @Test
  void cleanPayloadFormatCollapsesRawHttpAndCompactsJsonBodies() throws Exception {
    AnalyticsRecord r = new AnalyticsRecord()
        .setRawRequest("POST /x HTTP/1.1\r\nHost: a\r\n\r\n{\n  \"k\": \"v\"\n}")
        .setRawResponse("HTTP/1.1 200 OK\r\n\tX: 1\r\n\r\nplain\ntext");
    pump("{\"format\": \"json\"}").write(List.of(r), Deadline.NONE);
    JsonNode rec = JSON.readTree(lines().get(0)).get("tyk-analytics-record");
    assertThat(rec.get("raw_request").asText()).isEqualTo("POST /x HTTP/1.1 Host: a {\"k\":\"v\"}");
    assertThat(rec.get("raw_response").asText()).isEqualTo("HTTP/1.1 200 OK X: 1  plain text");
    assertThat(r.getRawRequest()).contains("\r\n"); // the shared record is untouched
  }

  @Test
  void legacyPayloadFormatKeepsRawHttpAsIs() throws Exception {
    AnalyticsRecord r = new AnalyticsRecord().setRawRequest("GET / HTTP/1.1\r\n\r\n");
    pump("{\"format\": \"json\", \"use_legacy_payload_format\": true}").write(List.of(r), Deadline.NONE);
    assertThat(JSON.readTree(lines().get(0)).get("tyk-analytics-record").get("raw_request").asText())
        .isEqualTo("GET / HTTP/1.1\r\n\r\n");
  }

  @Test
  void textFormatPrintsTykStyleKeyValueLines() throws Exception {
    pump("{}").write(Fixtures.records(Fixtures.MODERN).subList(0, 2), Deadline.NONE);
    assertThat(lines()).hasSize(2).allSatisfy(l -> assertThat(l)
        .startsWith("time=\"2026-11-21T10:00:00Z\" level=info tyk-analytics-record={\"method\":"));
  }

  @Test
  void anUnknownFormatIsAConfigProblemAndWriteAfterCloseFails() throws Exception {
    io.pumpd.core.config.ConfigProblems problems = new io.pumpd.core.config.ConfigProblems();
    JSON.readValue("{\"format\": \"xml\"}", StdoutSettings.class).validate(problems);
    assertThat(problems.all()).singleElement().satisfies(p -> assertThat(p.key()).isEqualTo("format"));
    StdoutPump p = pump("{}");
    p.close();
    assertThatThrownBy(() -> p.write(Fixtures.records(Fixtures.MODERN).subList(0, 1), Deadline.NONE))
        .isInstanceOf(PumpException.class);
  }

  /** The audit's case: one record with a time at year ±1e9 must not take the other 999 down with it. */
  @Test
  void recordsWithTimesAtYearPlusAndMinusOneBillionArePrintedAndTheRestOfTheBatchToo() throws Exception {
    List<AnalyticsRecord> records = new ArrayList<>(Fixtures.records(Fixtures.MODERN).subList(0, 999));
    records.add(500, HostileRecords.timeStampYearPlus1e9());
    records.add(HostileRecords.expireAtYearMinus1e9());

    WriteResult r = pump("{\"format\": \"json\", \"use_legacy_payload_format\": true}")
        .write(records, Deadline.NONE).toCompletableFuture().join();

    assertThat(r).isEqualTo(WriteResult.delivered(1001));
    List<String> lines = lines();
    assertThat(lines).hasSize(1001);
    JsonNode plus = JSON.readTree(lines.get(500)).get("tyk-analytics-record");
    assertThat(plus.get("path").asText()).isEqualTo("/hostile/timestamp-plus-1e9");
    assertThat(plus.get("timestamp").asText()).isEqualTo(HostileRecords.YEAR_PLUS_1E9_JSON);
    JsonNode minus = JSON.readTree(lines.get(1000)).get("tyk-analytics-record");
    assertThat(minus.get("expireAt").asText()).isEqualTo(HostileRecords.YEAR_MINUS_1E9_JSON);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"format\": \"json\"}", "{}"})
  void everyDecodableRecordIsPrintedOnOneLine(String meta) throws Exception {
    List<AnalyticsRecord> records = HostileRecords.amongGood(Fixtures.records(Fixtures.MODERN).subList(0, 50));

    WriteResult r = pump(meta).write(records, Deadline.NONE).toCompletableFuture().join();

    assertThat(r).isEqualTo(WriteResult.delivered(records.size()));
    assertThat(lines()).hasSize(records.size());
  }
}
