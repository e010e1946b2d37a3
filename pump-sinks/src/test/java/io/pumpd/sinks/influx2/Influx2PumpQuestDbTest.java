package io.pumpd.sinks.influx2;

import static io.pumpd.sinks.influx2.Influx2TestSupport.BUCKET;
import static io.pumpd.sinks.influx2.Influx2TestSupport.ORG;
import static io.pumpd.sinks.influx2.Influx2TestSupport.TOKEN;
import static io.pumpd.sinks.influx2.Influx2TestSupport.pump;
import static io.pumpd.sinks.influx2.Influx2TestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import io.pumpd.sinks.influx2.testing.EmbeddedQuestDb;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The influx2 pump writing to a real line-protocol server: QuestDB 9.3.4 embedded, which
 * implements InfluxDB's v2 write endpoint ({@code /api/v2/write}) with real parsing and storage;
 * rows are read back over its SQL endpoint. QuestDB is not InfluxDB 2 (it ignores the token, org
 * and bucket, and has no buckets API, hence {@code verify_bucket: false} here), so these tests
 * claim parsing, types, timestamps and storage only.
 */
@DisplayName("influx2 pump -> QuestDB 9.3.4 (real InfluxDB v2 line-protocol write endpoint)")
class Influx2PumpQuestDbTest {
  private static final String TABLE = Influx2PointMapper.MEASUREMENT;
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

  /** How QuestDB's /exec renders a TIMESTAMP (microseconds, UTC). */
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private final EmbeddedQuestDb db = EmbeddedQuestDb.shared();
  private Influx2Pump pump;

  @BeforeEach
  void resetTable() {
    db.drop(TABLE);
  }

  @AfterEach
  void closePump() {
    if (pump != null) {
      pump.close();
    }
  }

  @Test
  @DisplayName("every fixture record is stored once, with Tyk's tags and typed fields, at its own time (us)")
  void storesEveryFixtureRecord() throws Exception {
    pump = pump(settings(db.baseUrl(),
        "\"verify_bucket\":false,\"tags\":[\"method\",\"response_code\",\"path\",\"oauth_id\"],"
            + "\"fields\":[\"request_time\",\"total_latency\",\"upstream_latency\",\"api_key\",\"api_id\","
            + "\"time_stamp\",\"raw_request\",\"ip_address\"]"));
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);

    WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    assertThat(result).isEqualTo(WriteResult.delivered(records.size()));
    awaitRows(records.size());
    assertThat(db.columnTypes(TABLE))
        .containsEntry("method", "SYMBOL").containsEntry("response_code", "SYMBOL")
        .containsEntry("path", "SYMBOL").containsEntry("request_time", "LONG")
        .containsEntry("total_latency", "LONG").containsEntry("api_key", "VARCHAR")
        .containsEntry("time_stamp", "VARCHAR").containsEntry("timestamp", "TIMESTAMP");
    List<Map<String, JsonNode>> rows = db.query("select * from " + TABLE + " order by timestamp");
    for (int i = 0; i < records.size(); i++) {
      AnalyticsRecord r = records.get(i);
      Map<String, JsonNode> row = rows.get(i);
      assertThat(row.get("timestamp").asText()).as("row %d time", i).isEqualTo(MICROS.format(r.getTimeStamp()));
      assertThat(row.get("method").asText()).isEqualTo(r.getMethod());
      assertThat(row.get("response_code").asText()).isEqualTo(Integer.toString(r.getResponseCode()));
      assertThat(row.get("path").asText()).isEqualTo(r.getPath());
      assertThat(row.get("oauth_id").isNull()).isEqualTo(r.getOauthId().isEmpty());
      assertThat(row.get("request_time").asLong()).isEqualTo(r.getRequestTime());
      assertThat(row.get("total_latency").asLong()).isEqualTo(r.getLatency().total());
      assertThat(row.get("upstream_latency").asLong()).isEqualTo(r.getLatency().upstream());
      assertThat(row.get("api_key").asText()).isEqualTo(r.getApiKey());
      assertThat(row.get("time_stamp").asText()).isEqualTo(RecordJson.formatTime(r.getTimeStamp()));
      assertThat(row.get("raw_request").asText()).isEqualTo(r.getRawRequest());
    }
  }

  @Test
  @DisplayName("without fields configured, the default numeric fields are stored")
  void defaultFields() throws Exception {
    pump = pump(settings(db.baseUrl(), "\"verify_bucket\":false"));
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.LEGACY);

    pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    awaitRows(records.size());
    assertThat(db.columnTypes(TABLE)).containsOnlyKeys(
        "request_time", "total_latency", "upstream_latency", "response_code", "timestamp");
    assertThat(db.query("select sum(request_time) s from " + TABLE).get(0).get("s").asLong())
        .isEqualTo(records.stream().mapToLong(AnalyticsRecord::getRequestTime).sum());
  }

  @Test
  @DisplayName("through the strict recording stand-in to QuestDB: exact request shape and real storage in one run")
  void passThrough() throws Exception {
    try (RecordingInfluxServer server =
        RecordingInfluxServer.builder(TOKEN, ORG).bucket(BUCKET).passThrough(db.baseUrl()).start()) {
      pump = pump(settings(server.url(), "\"tags\":[\"api_id\"],\"batch_size\":300"));
      List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);

      WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

      assertThat(result).isEqualTo(WriteResult.delivered(records.size()));
      assertThat(server.violations()).isEmpty();
      assertThat(server.writes()).extracting(w -> w.points().size()).containsExactly(300, 300, 300, 100);
      awaitRows(records.size());
      assertThat(db.query("select count_distinct(api_id) n from " + TABLE).get(0).get("n").asLong())
          .isEqualTo(records.stream().map(AnalyticsRecord::getApiId).distinct().count());
    }
  }

  @Test
  @DisplayName("QuestDB rejecting the points (column type conflict): records failed with its message, nothing retried")
  void serverRejection() throws Exception {
    Instant earlier = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(db.writeLines(TABLE + " request_time=true " + earlier.getEpochSecond() + "000000", "us")).isEqualTo(204);
    awaitRows(1);
    pump = pump(settings(db.baseUrl(), "\"verify_bucket\":false,\"fields\":[\"request_time\"]"));
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.LEGACY).subList(0, 4);

    WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    assertThat(result.delivered()).isZero();
    assertThat(result.failures()).hasSize(4)
        .allSatisfy(f -> assertThat(f.reason()).contains("HTTP status code: 400").contains("request_time"));
    assertThat(db.count(TABLE)).isEqualTo(1);
  }

  @Test
  @DisplayName("times at year ±1e9 among good records: all stored, the time field in the documented form")
  void extremeTimes() throws Exception {
    pump = pump(settings(db.baseUrl(),
        "\"verify_bucket\":false,\"tags\":[\"path\",\"time_stamp\"],\"fields\":[\"request_time\",\"time_stamp\"]"));
    List<AnalyticsRecord> records = new ArrayList<>(Fixtures.records(Fixtures.MODERN).subList(0, 300));
    records.add(150, HostileRecords.timeStampYearPlus1e9());
    records.add(HostileRecords.expireAtYearMinus1e9().setTimeStamp(HostileRecords.YEAR_MINUS_1E9)
        .setPath("/hostile/timestamp-minus-1e9"));

    WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    assertThat(result).isEqualTo(WriteResult.delivered(records.size()));
    awaitRows(records.size());
    List<Map<String, JsonNode>> hostile =
        db.query("select path, time_stamp, timestamp from " + TABLE + " where path like '/hostile/%' order by path");
    assertThat(hostile).hasSize(2);
    assertThat(hostile.get(0).get("time_stamp").asText()).isEqualTo(HostileRecords.YEAR_MINUS_1E9_JSON);
    assertThat(hostile.get(1).get("time_stamp").asText()).isEqualTo(HostileRecords.YEAR_PLUS_1E9_JSON);
    // outside InfluxDB's time range: the point gets the write time (0 in these tests)
    assertThat(hostile).allSatisfy(row -> assertThat(row.get("timestamp").asText()).isEqualTo("1970-01-01T00:00:00.000000Z"));
  }

  @Test
  @DisplayName("every decodable record is stored or, if QuestDB refuses it, failed alone with its message")
  void hostileRecords() throws Exception {
    pump = pump(settings(db.baseUrl(),
        "\"verify_bucket\":false,\"tags\":[\"method\",\"path\"],"
            + "\"fields\":[\"request_time\",\"time_stamp\",\"raw_request\",\"total_latency\"]"));
    List<AnalyticsRecord> good = Fixtures.records(Fixtures.MODERN).subList(0, 100);
    List<AnalyticsRecord> records = HostileRecords.amongGood(good);

    WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    assertThat(result.delivered() + result.failures().size()).isEqualTo(records.size());
    assertThat(result.failures()).extracting(f -> f.record()).doesNotContainAnyElementsOf(good);
    assertThat(result.failures()).allSatisfy(f -> {
      assertThat(f.retriable()).isFalse();
      assertThat(f.reason()).contains("HTTP status code");
    });
    awaitRows(result.delivered());
  }

  private void awaitRows(long n) {
    await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).until(() -> db.count(TABLE) >= n);
    assertThat(db.count(TABLE)).isEqualTo(n);
  }
}
