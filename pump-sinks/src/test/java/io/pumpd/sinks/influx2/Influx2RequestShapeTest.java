package io.pumpd.sinks.influx2;

import static io.pumpd.sinks.influx2.Influx2TestSupport.BUCKET;
import static io.pumpd.sinks.influx2.Influx2TestSupport.ORG;
import static io.pumpd.sinks.influx2.Influx2TestSupport.TOKEN;
import static io.pumpd.sinks.influx2.Influx2TestSupport.pump;
import static io.pumpd.sinks.influx2.Influx2TestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.sinks.influx2.testing.LinePoint;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The exact HTTP requests of the influx2 pump, checked by a strict recording stand-in for the
 * InfluxDB 2 API ({@link RecordingInfluxServer}): write parameters, auth header, line protocol,
 * chunking, and the organization/bucket lookup and creation. No real InfluxDB 2 is involved.
 */
@DisplayName("influx2 pump -> strict recording InfluxDB 2 API stand-in: request shape and bucket setup")
class Influx2RequestShapeTest {
  private RecordingInfluxServer server;
  private Influx2Pump pump;

  @AfterEach
  void stop() {
    if (pump != null) {
      pump.close();
    }
    if (server != null) {
      server.close();
      assertThat(server.violations()).as("protocol violations").isEmpty();
    }
  }

  @Test
  @DisplayName("one write per batch: org, bucket, precision=us, Token auth, Tyk's points at record time")
  void writeRequestShape() throws Exception {
    server = RecordingInfluxServer.builder(TOKEN, ORG).bucket(BUCKET).start();
    pump = pump(settings(server.url(),
        "\"tags\":[\"method\",\"response_code\",\"time_stamp\",\"path\"],\"fields\":[\"request_time\",\"api_id\",\"total_latency\"]"));
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN).subList(0, 50);

    WriteResult result = pump.write(records, Deadline.after(Duration.ofSeconds(10))).toCompletableFuture().get();

    assertThat(result).isEqualTo(WriteResult.delivered(50));
    assertThat(server.writes()).singleElement().satisfies(w -> {
      assertThat(w.method()).isEqualTo("POST");
      assertThat(w.query()).containsEntry("org", ORG).containsEntry("bucket", BUCKET).containsEntry("precision", "us");
      assertThat(w.header("Authorization")).isEqualTo("Token " + TOKEN);
      assertThat(w.header("Content-Type")).startsWith("text/plain");
      assertThat(w.points()).hasSize(50);
    });
    for (int i = 0; i < records.size(); i++) {
      AnalyticsRecord r = records.get(i);
      LinePoint p = server.points().get(i);
      assertThat(p.measurement()).isEqualTo("analytics");
      assertThat(p.tags()).containsOnlyKeys("method", "response_code", "time_stamp", "path")
          .containsEntry("method", r.getMethod())
          .containsEntry("response_code", Integer.toString(r.getResponseCode()))
          .containsEntry("time_stamp", io.pumpd.core.record.RecordJson.formatTime(r.getTimeStamp()))
          .containsEntry("path", r.getPath());
      assertThat(p.fields()).containsOnlyKeys("request_time", "api_id", "total_latency")
          .containsEntry("request_time", r.getRequestTime())
          .containsEntry("api_id", r.getApiId())
          .containsEntry("total_latency", r.getLatency().total());
      long micros = r.getTimeStamp().getEpochSecond() * 1_000_000 + r.getTimeStamp().getNano() / 1_000;
      assertThat(p.timestamp()).isEqualTo(micros);
    }
  }

  @Test
  @DisplayName("setup: /ping, the organization by name, then the bucket in it; readiness follows")
  void setupLookups() throws Exception {
    server = RecordingInfluxServer.builder(TOKEN, ORG).bucket(BUCKET).start();
    pump = pump(settings(server.url(), ""));

    await().atMost(10, TimeUnit.SECONDS).until(() -> pump.readiness().isEmpty());
    List<RecordedRequest> setup = server.requests();
    assertThat(setup).extracting(r -> r.method() + " " + r.path())
        .containsExactly("GET /ping", "GET /api/v2/orgs", "GET /api/v2/buckets");
    assertThat(setup.get(1).query()).containsEntry("org", ORG);
    assertThat(setup.get(2).query()).containsEntry("name", BUCKET).containsKey("orgID");
    assertThat(setup.get(1).header("Authorization")).isEqualTo("Token " + TOKEN);
  }

  @Test
  @DisplayName("batch_size splits a batch into several write requests")
  void chunking() throws Exception {
    server = RecordingInfluxServer.builder(TOKEN, ORG).bucket(BUCKET).start();
    pump = pump(settings(server.url(), "\"batch_size\":20"));

    WriteResult result = pump.write(Fixtures.records(Fixtures.LEGACY).subList(0, 50), Deadline.after(Duration.ofSeconds(10)))
        .toCompletableFuture().get();

    assertThat(result.delivered()).isEqualTo(50);
    assertThat(server.writes()).extracting(w -> w.points().size()).containsExactly(20, 20, 10);
    assertThat(server.points()).allSatisfy(p ->
        assertThat(p.fields()).containsOnlyKeys("request_time", "total_latency", "upstream_latency", "response_code"));
  }

  @Test
  @DisplayName("create_missing_bucket creates the bucket with new_bucket_config, then writes")
  void createsMissingBucket() throws Exception {
    server = RecordingInfluxServer.builder(TOKEN, ORG).start();
    pump = pump(settings(server.url(),
        "\"create_missing_bucket\":true,\"new_bucket_config\":{\"description\":\"Tyk analytics\","
            + "\"retention_rules\":[{\"every_seconds\":86400,\"shard_group_duration_seconds\":3600,\"type\":\"expire\"}]}"));

    pump.write(Fixtures.records(Fixtures.LEGACY).subList(0, 3), Deadline.after(Duration.ofSeconds(10)))
        .toCompletableFuture().get();

    RecordedRequest create = server.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals("/api/v2/buckets")).findFirst().orElseThrow();
    JsonNode body = new ObjectMapper().readTree(create.body());
    assertThat(body.path("name").asText()).isEqualTo(BUCKET);
    assertThat(body.path("description").asText()).isEqualTo("Tyk analytics");
    JsonNode rule = body.path("retentionRules").get(0);
    assertThat(rule.path("type").asText()).isEqualTo("expire");
    assertThat(rule.path("everySeconds").asLong()).isEqualTo(86400);
    assertThat(rule.path("shardGroupDurationSeconds").asLong()).isEqualTo(3600);
    assertThat(server.buckets()).contains(BUCKET);
    assertThat(server.points()).hasSize(3);
  }

  @Test
  @DisplayName("a missing bucket without create_missing_bucket: writes fail permanently, readiness says why")
  void missingBucket() throws Exception {
    server = RecordingInfluxServer.builder(TOKEN, ORG).start();
    pump = pump(settings(server.url(), ""));
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.LEGACY).subList(0, 3);

    assertThatThrownBy(() -> pump.write(records, Deadline.after(Duration.ofSeconds(10))))
        .isInstanceOf(PumpException.class)
        .isNotInstanceOf(RetriablePumpException.class)
        .hasMessageContaining("bucket 'tyk' not found in organization 'acme'");
    assertThat(pump.readiness()).hasValueSatisfying(r -> assertThat(r).contains("not found"));
    assertThat(server.writes()).isEmpty();
  }

  @Test
  @DisplayName("an unknown organization fails writes permanently")
  void unknownOrganization() throws Exception {
    server = RecordingInfluxServer.builder(TOKEN, "other-org").bucket(BUCKET).start();
    pump = pump(settings(server.url(), ""));

    assertThatThrownBy(() -> pump.write(Fixtures.records(Fixtures.LEGACY).subList(0, 1), Deadline.after(Duration.ofSeconds(10))))
        .isNotInstanceOf(RetriablePumpException.class)
        .hasMessageContaining("organization 'acme' not found");
  }

  @Test
  @DisplayName("verify_bucket false: only /ping before writing")
  void noVerification() throws Exception {
    server = RecordingInfluxServer.builder(TOKEN, ORG).bucket(BUCKET).start();
    pump = pump(settings(server.url(), "\"verify_bucket\":false"));

    pump.write(Fixtures.records(Fixtures.LEGACY).subList(0, 2), Deadline.after(Duration.ofSeconds(10)))
        .toCompletableFuture().get();

    assertThat(server.requests()).extracting(r -> r.method() + " " + r.path())
        .containsExactly("GET /ping", "POST /api/v2/write");
  }
}
