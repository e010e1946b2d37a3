package io.pumpd.sinks.influx2;

import static io.pumpd.sinks.influx2.Influx2TestSupport.BUCKET;
import static io.pumpd.sinks.influx2.Influx2TestSupport.ORG;
import static io.pumpd.sinks.influx2.Influx2TestSupport.TOKEN;
import static io.pumpd.sinks.influx2.Influx2TestSupport.pump;
import static io.pumpd.sinks.influx2.Influx2TestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer.RecordedRequest;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * How the influx2 pump surfaces InfluxDB 2's error answers, scripted on the strict recording
 * stand-in ({@link RecordingInfluxServer}): what is retried (429/503 with and without {@code
 * Retry-After}), what is dead-lettered with the server's message (401, 422, 400), and how content
 * rejections are narrowed down to the offending records.
 */
@DisplayName("influx2 pump -> strict recording InfluxDB 2 API stand-in: error paths")
class Influx2ErrorHandlingTest {
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private RecordingInfluxServer server;
  private Influx2Pump pump;
  private List<AnalyticsRecord> records;

  @BeforeEach
  void start() throws Exception {
    server = RecordingInfluxServer.builder(TOKEN, ORG).bucket(BUCKET).start();
    pump = pump(settings(server.url(), ""), registry, TEN_SECONDS);
    records = Fixtures.records(Fixtures.MODERN).subList(0, 50);
    await().atMost(10, TimeUnit.SECONDS).until(() -> pump.readiness().isEmpty());
  }

  @AfterEach
  void stop() {
    pump.close();
    server.close();
    assertThat(server.violations()).as("protocol violations").isEmpty();
  }

  @Test
  @DisplayName("401 on write: not retried, every record failed with the server's message")
  void unauthorizedWrite() throws Exception {
    server.enqueueWrite(Reply.error(401, "unauthorized", "unauthorized access"));

    WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    assertThat(result.delivered()).isZero();
    assertThat(result.failures()).hasSize(50)
        .allSatisfy(f -> assertThat(f.reason()).contains("401").contains("unauthorized access"));
    assertThat(server.writes()).hasSize(1);
    assertThat(counter("pump.sink.requests.failed", "status", "401")).isEqualTo(1);
    assertThat(counter("pump.sink.documents.failed", "reason", "http_401")).isEqualTo(50);
  }

  @Test
  @DisplayName("a wrong token fails the setup with 401: writes fail permanently with the message")
  void wrongToken() throws Exception {
    Influx2Pump bad = pump(settings("{\"address\":\"" + server.url() + "\",\"token\":\"nope\",\"organization\":\""
        + ORG + "\",\"bucket\":\"" + BUCKET + "\"}"));
    try {
      assertThatThrownBy(() -> bad.write(records, Deadline.after(TEN_SECONDS)))
          .isInstanceOf(PumpException.class)
          .isNotInstanceOf(RetriablePumpException.class)
          .hasMessageContaining("unauthorized access");
    } finally {
      bad.close();
    }
  }

  @Test
  @DisplayName("422 for one record: it alone is failed with the message; the other 49 are written")
  void unprocessableRecordIsolated() throws Exception {
    AnalyticsRecord bad = records.get(17);
    List<List<String>> accepted = new ArrayList<>();
    server.onWrite(req -> {
      if (req.points().stream().anyMatch(p -> bad.getApiKey().equals(p.fields().get("api_key")))) {
        return Reply.error(422, "unprocessable entity",
            "failure writing points to database: partial write: field type conflict");
      }
      synchronized (accepted) {
        accepted.add(req.points().stream().map(p -> (String) p.fields().get("api_key")).toList());
      }
      return Reply.status(204);
    });
    Influx2Pump p = pump(settings(server.url(), "\"fields\":[\"api_key\",\"request_time\"]"), registry, TEN_SECONDS);
    try {
      WriteResult result = p.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

      assertThat(result.delivered()).isEqualTo(49);
      assertThat(result.failures()).singleElement().satisfies(f -> {
        assertThat(f.record()).isSameAs(bad);
        assertThat(f.reason()).contains("422").contains("field type conflict");
      });
      assertThat(accepted.stream().flatMap(List::stream).toList())
          .hasSize(49)
          .containsExactlyInAnyOrderElementsOf(
              records.stream().filter(r -> r != bad).map(AnalyticsRecord::getApiKey).toList());
      assertThat(server.writes().size()).isLessThanOrEqualTo(1 + 2 * 6);
    } finally {
      p.close();
    }
  }

  @Test
  @DisplayName("400 for everything: records isolated within the split budget, each failed with the message")
  void badRequestEverywhere() throws Exception {
    server.onWrite(req -> Reply.error(400, "invalid", "unable to parse points: bad timestamp"));

    WriteResult few = pump.write(records.subList(0, 10), Deadline.after(TEN_SECONDS)).toCompletableFuture().get();
    int afterFew = server.writes().size();
    WriteResult many = pump.write(Fixtures.records(Fixtures.MODERN).subList(0, 200), Deadline.after(TEN_SECONDS))
        .toCompletableFuture().get();

    assertThat(few.failures()).hasSize(10).allSatisfy(f -> assertThat(f.reason()).contains("bad timestamp"));
    assertThat(afterFew).as("10 records, split down to single points").isEqualTo(19);
    assertThat(many.failures()).hasSize(200);
    assertThat(server.writes().size() - afterFew).as("one request plus the split budget").isEqualTo(1 + Influx2Pump.SPLIT_BUDGET);
  }

  @Test
  @DisplayName("413 for large requests: chunks are split until the server accepts them")
  void entityTooLargeIsSplit() throws Exception {
    server.onWrite(req -> req.points().size() > 10 ? Reply.error(413, "request too large", "too large") : Reply.status(204));

    WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    assertThat(result).isEqualTo(WriteResult.delivered(50));
    assertThat(server.writes().stream().filter(w -> w.points().size() <= 10).mapToInt(w -> w.points().size()).sum())
        .isEqualTo(50);
  }

  @Test
  @DisplayName("429 with Retry-After: 1 is retried after the server's delay, not the backoff's")
  void tooManyRequestsHonoursRetryAfter() throws Exception {
    server.enqueueWrite(Reply.error(429, "too many requests", "slow down").header("Retry-After", "1"));

    WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    assertThat(result).isEqualTo(WriteResult.delivered(50));
    List<RecordedRequest> writes = server.writes();
    assertThat(writes).hasSize(2);
    assertThat(Duration.between(writes.get(0).receivedAt(), writes.get(1).receivedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(counter("pump.sink.requests.failed", "status", "429")).isEqualTo(1);
    assertThat(counter("pump.sink.requests.retried", null, null)).isEqualTo(1);
  }

  @Test
  @DisplayName("503, 503, then 204: retried with backoff and delivered")
  void serviceUnavailableThenSuccess() throws Exception {
    server.enqueueWrite(Reply.error(503, "unavailable", "service unavailable"));
    server.enqueueWrite(Reply.error(503, "unavailable", "service unavailable"));

    WriteResult result = pump.write(records, Deadline.after(TEN_SECONDS)).toCompletableFuture().get();

    assertThat(result).isEqualTo(WriteResult.delivered(50));
    assertThat(server.writes()).hasSize(3);
    assertThat(counter("pump.sink.requests.failed", "status", "503")).isEqualTo(2);
    assertThat(counter("pump.sink.requests.retried", null, null)).isEqualTo(2);
    assertThat(counter("pump.sink.documents.sent", null, null)).isEqualTo(50);
  }

  @Test
  @DisplayName("503 until the deadline: the batch fails as retriable, readiness reports it")
  void serviceUnavailableUntilDeadline() {
    server.onWrite(req -> Reply.error(503, "unavailable", "service unavailable"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> pump.write(records, Deadline.after(Duration.ofMillis(1500))))
        .isInstanceOf(RetriablePumpException.class)
        .hasMessageContaining("service unavailable");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(server.writes().size()).isGreaterThan(1);
    assertThat(pump.readiness()).hasValueSatisfying(r -> assertThat(r).contains("503"));
  }

  @Test
  @DisplayName("a Retry-After beyond the deadline: no waiting past it, the batch fails as retriable")
  void retryAfterBeyondDeadline() {
    server.enqueueWrite(Reply.error(429, "too many requests", "slow down").header("Retry-After", "30"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> pump.write(records, Deadline.after(Duration.ofSeconds(2))))
        .isInstanceOf(RetriablePumpException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(server.writes()).hasSize(1);
  }

  @Test
  @DisplayName("close() during a write waiting to retry makes the write return promptly")
  void closeInterruptsRetryWait() throws Exception {
    server.enqueueWrite(Reply.error(429, "too many requests", "slow down").header("Retry-After", "20"));
    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        pump.write(records, Deadline.after(Duration.ofSeconds(60)));
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    await().atMost(10, TimeUnit.SECONDS).until(() -> server.writes().size() == 1);

    pump.close();

    assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(RetriablePumpException.class);
    assertThatThrownBy(() -> pump.write(records, Deadline.after(TEN_SECONDS))).hasMessageContaining("closed");
  }

  @Test
  @DisplayName("the server going away: the write fails as retriable with the connection error")
  void serverDown() {
    server.close();

    assertThatThrownBy(() -> pump.write(records, Deadline.after(Duration.ofSeconds(1))))
        .isInstanceOf(RetriablePumpException.class)
        .hasMessageContaining("no response");
  }

  private double counter(String name, String tag, String value) {
    var search = registry.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    var c = search.counter();
    return c == null ? 0 : c.count();
  }

}
