package io.pumpd.sinks.dogstatsd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import io.pumpd.sinks.dogstatsd.DogStatsdMetricMapper.DogStatsdMetric;
import io.pumpd.sinks.dogstatsd.testing.DogStatsdLine;
import io.pumpd.sinks.dogstatsd.testing.StrictDogStatsdListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dogstatsd pump driving the real java-dogstatsd-client into a strict in-test receiver (UDP
 * and a unix datagram socket): exact lines, datagram framing, sampling, and delivery on close. No
 * Datadog Agent is involved; see {@link StrictDogStatsdListener}.
 */
@DisplayName("dogstatsd pump -> real java-dogstatsd-client -> strict DogStatsD listener")
class DogStatsdPumpStrictListenerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  @Test
  @DisplayName("unbuffered: one correct histogram per fixture record, one metric per datagram")
  void unbufferedFixtures() throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    DogStatsdPump pump = pump("{\"address\":\"" + listener.address() + "\",\"namespace\":\"pump\"}");
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);

    WriteResult result = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(result).isEqualTo(WriteResult.delivered(records.size()));
    List<DogStatsdLine> lines = listener.awaitMetrics(records.size(), WAIT);
    assertThat(lines).hasSize(records.size());
    assertThat(listener.datagrams()).hasSize(records.size()).allMatch(d -> d.split("\n").length == 1);
    assertMatchesRecords(lines, records, "pump.request_time", List.of());
  }

  @Test
  @DisplayName("buffered: up to buffered_max_messages metrics per datagram, none lost")
  void bufferedFixtures() throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    DogStatsdPump pump =
        pump("{\"address\":\"" + listener.address() + "\",\"buffered\":true,\"buffered_max_messages\":4,"
            + "\"tags\":[\"method\",\"response_code\",\"path\"]}");
    // the client packs the metrics that are queued when its sender thread gets to them: with a
    // thousand queued at once some datagrams carry several, however the threads are scheduled
    List<AnalyticsRecord> records = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      records.addAll(Fixtures.records(Fixtures.LEGACY));
    }

    WriteResult result = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(result.delivered()).isEqualTo(records.size());
    List<DogStatsdLine> lines = listener.awaitMetrics(records.size(), WAIT);
    assertThat(lines).hasSize(records.size());
    assertThat(listener.datagrams())
        .allSatisfy(d -> assertThat(d.split("\n").length).isBetween(1, 4))
        .allSatisfy(d -> assertThat(d.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(1432))
        .anyMatch(d -> d.split("\n").length > 1);
    assertMatchesRecords(lines, records, "default.request_time", List.of("method", "response_code", "path"));
  }

  @Test
  @DisplayName("sample_rate 0.5 sends the sampled records with |@0.5, and counts the rest as handled")
  void sampleRate() throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    AtomicInteger draws = new AtomicInteger();
    DoubleSupplier alternating = () -> draws.getAndIncrement() % 2 == 0 ? 0.25 : 0.75;
    DogStatsdPump pump =
        pump("{\"address\":\"" + listener.address() + "\",\"sample_rate\":0.5}", alternating);
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.LEGACY);

    WriteResult result = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(result).isEqualTo(WriteResult.delivered(records.size()));
    List<DogStatsdLine> lines = listener.awaitMetrics(records.size() / 2, WAIT);
    pump.close();
    assertThat(listener.metrics()).hasSize(records.size() / 2);
    assertThat(lines).allSatisfy(l -> assertThat(l.sampleRate()).isEqualTo(0.5));
    List<AnalyticsRecord> sampled = new ArrayList<>();
    for (int i = 0; i < records.size(); i += 2) {
      sampled.add(records.get(i));
    }
    assertMatchesRecords(listener.metrics(), sampled, "default.request_time", List.of());
  }

  @ParameterizedTest(name = "buffered={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("flush and close right after write: every metric reaches the socket")
  void closeRightAfterWrite(boolean buffered) throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    DogStatsdPump pump = pump("{\"address\":\"" + listener.address() + "\",\"buffered\":" + buffered + "}");
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);

    CompletionStage<WriteResult> stage = pump.write(records, Deadline.after(WAIT));
    pump.flush(Deadline.after(WAIT));
    assertThat(stage.toCompletableFuture()).isCompleted();
    pump.close();

    assertThat(stage.toCompletableFuture().get()).isEqualTo(WriteResult.delivered(records.size()));
    assertThat(listener.awaitMetrics(records.size(), WAIT)).hasSize(records.size());
  }

  @Test
  @DisplayName("close without flush still drains the client's queue (blocking mode)")
  void closeWithoutFlush() throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    DogStatsdPump pump = pump("{\"address\":\"" + listener.address() + "\",\"buffered\":true}");
    List<AnalyticsRecord> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.addAll(Fixtures.records(Fixtures.MODERN)); // enough that the client is still busy at close()
    }

    CompletionStage<WriteResult> stage = pump.write(records, Deadline.after(WAIT));
    pump.close();

    assertThat(listener.awaitMetrics(records.size(), WAIT)).hasSize(records.size());
    assertThat(stage.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(WriteResult.delivered(records.size()));
    assertThatThrownBy(() -> pump.write(records, Deadline.after(WAIT))).hasMessageContaining("closed");
  }

  @Test
  @DisplayName("unix datagram socket: every fixture record arrives")
  void unixDatagramSocket(@TempDir Path dir) throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.unixDatagram(dir.resolve("dsd.socket")));
    DogStatsdPump pump =
        pump("{\"address\":\"" + listener.address() + "\",\"async_uds\":true,\"buffered\":true}");
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);

    WriteResult result = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(result).isEqualTo(WriteResult.delivered(records.size()));
    assertMatchesRecords(listener.awaitMetrics(records.size(), WAIT), records, "default.request_time", List.of());
    assertThat(listener.datagrams()).allSatisfy(d -> assertThat(d.split("\n").length).isBetween(1, 16));
  }

  @Test
  @DisplayName("unix socket with nobody listening: every record fails for now (retriable) and readiness says why")
  void unixSocketWithoutListener(@TempDir Path dir) throws Exception {
    DogStatsdPump pump = pump("{\"address\":\"unix://" + dir.resolve("absent.socket") + "\"}");
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.LEGACY).subList(0, 10);

    WriteResult result = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(result.delivered()).isZero();
    assertThat(result.failures()).hasSize(10).allSatisfy(f -> {
      assertThat(f.retriable()).isTrue();
      assertThat(f.reason()).contains("absent.socket");
    });
    assertThat(pump.readiness()).hasValueSatisfying(r -> assertThat(r).contains("absent.socket"));
  }

  @Test
  @DisplayName("unix receiver that stops reading (EAGAIN): records fail for now (retriable), none is rejected; sent again once it reads, every record arrives")
  void busyUnixReceiverIsRetriable(@TempDir Path dir) throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.unixDatagram(dir.resolve("dsd.socket")));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DogStatsdPump pump = new DogStatsdPump("dd", settings("{\"address\":\"" + listener.address() + "\"}"), k -> null, () -> 0);
    pump.init(new PumpContext("dd", "dogstatsd", Duration.ofSeconds(5), registry));
    toClose.add(pump::close);
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN).subList(0, 300);
    listener.pauseReading();

    WriteResult busy = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(busy.failures()).isNotEmpty().allSatisfy(f -> {
      assertThat(f.retriable()).isTrue();
      assertThat(f.reason()).contains("temporarily unavailable");
    });
    assertThat(busy.delivered() + busy.failures().size()).isEqualTo(records.size());
    assertThat(registry.get("pump.sink.documents.retried").counter().count()).isEqualTo(busy.failures().size());
    assertThat(registry.find("pump.sink.documents.failed").counters())
        .allSatisfy(c -> assertThat(c.count()).isZero());

    listener.resumeReading();
    // As the core does in at_least_once: offer the batch again (with a pause) until all of it goes out.
    WriteResult again = await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
        .until(() -> pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS),
            r -> !r.anyRetriable());

    assertThat(again).isEqualTo(WriteResult.delivered(records.size()));
    // Every metric the pump counted as written reached the listener: the whole batch, plus the
    // part of the failed attempts that went out (the duplicates a retry costs).
    int written = (int) registry.get("pump.sink.documents.sent").counter().count();
    assertThat(written).isGreaterThanOrEqualTo(records.size());
    await().atMost(WAIT).untilAsserted(() -> assertThat(listener.metrics()).hasSize(written));
    listener.assertNothingMalformed();
  }

  @Test
  @DisplayName("a metric too long for a datagram is rejected with a reason; the others are sent")
  void oversizeRecord() throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    DogStatsdPump pump = pump("{\"address\":\"" + listener.address() + "\"}");
    List<AnalyticsRecord> records = new ArrayList<>(Fixtures.records(Fixtures.LEGACY).subList(0, 5));
    AnalyticsRecord huge = records.get(2).copy().setPath("/" + "x".repeat(1500));
    records.set(2, huge);

    WriteResult result = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(result.delivered()).isEqualTo(4);
    assertThat(result.failures()).singleElement().satisfies(f -> {
      assertThat(f.record()).isSameAs(huge);
      assertThat(f.reason()).contains("does not fit in a 1432-byte datagram");
    });
    assertThat(listener.awaitMetrics(4, WAIT)).hasSize(4);
  }

  @ParameterizedTest(name = "enable_telemetry={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("client telemetry is sent only when enable_telemetry is set, and never counted as records")
  void telemetry(boolean enabled) throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    DogStatsdPump pump =
        new DogStatsdPump("dd", settings("{\"address\":\"" + listener.address() + "\",\"enable_telemetry\":" + enabled + "}"),
                k -> null, () -> 0)
            .telemetryInterval(Duration.ofMillis(100));
    pump.init(context());
    toClose.add(pump::close);
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.LEGACY).subList(0, 20);

    WriteResult result = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(result).isEqualTo(WriteResult.delivered(20));
    java.util.function.Supplier<List<DogStatsdLine>> telemetryLines = () -> listener.metrics().stream()
        .filter(l -> l.name().startsWith("datadog.dogstatsd.client.")).toList();
    if (enabled) {
      await().atMost(WAIT).until(() -> !telemetryLines.get().isEmpty());
    } else {
      await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> telemetryLines.get().isEmpty());
    }
    assertThat(listener.metrics()).filteredOn(l -> l.name().equals("default.request_time")).hasSize(20);
    listener.assertNothingMalformed();
  }

  @Test
  @DisplayName("an empty address falls back to DD_AGENT_HOST and DD_DOGSTATSD_PORT")
  void agentHostFallback() throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    String port = listener.address().substring(listener.address().indexOf(':') + 1);
    Map<String, String> env = Map.of("DD_AGENT_HOST", "127.0.0.1", "DD_DOGSTATSD_PORT", port);
    DogStatsdPump pump = new DogStatsdPump("dd", settings("{}"), env::get, () -> 0);
    pump.init(context());
    toClose.add(pump::close);

    pump.write(Fixtures.records(Fixtures.LEGACY).subList(0, 3), Deadline.after(WAIT))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(listener.awaitMetrics(3, WAIT)).hasSize(3);
  }

  @Test
  @DisplayName("an empty address without DD_AGENT_HOST fails init, as in Tyk")
  void noAddressAtAll() {
    DogStatsdPump pump = new DogStatsdPump("dd", settings("{}"), k -> null, () -> 0);
    assertThatThrownBy(() -> pump.init(context())).hasMessageContaining("DD_AGENT_HOST");
  }

  @Test
  @DisplayName("extreme records among good ones: every good record sent; a line too long fails alone")
  void hostileRecords() throws Exception {
    StrictDogStatsdListener listener = listen(StrictDogStatsdListener.udp());
    DogStatsdPump pump = pump("{\"address\":\"" + listener.address() + "\",\"namespace\":\"pump\"}");
    List<AnalyticsRecord> good = Fixtures.records(Fixtures.MODERN).subList(0, 200);
    List<AnalyticsRecord> records = HostileRecords.amongGood(good);
    AnalyticsRecord tooLong = HostileRecords.all().get("very long strings");

    WriteResult result = pump.write(records, Deadline.after(WAIT)).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(result.failures()).singleElement().satisfies(f -> {
      assertThat(f.record().getPath()).isEqualTo(tooLong.getPath());
      assertThat(f.reason()).contains("does not fit");
      assertThat(f.retriable()).isFalse();
    });
    assertThat(result.delivered()).isEqualTo(records.size() - 1);
    List<AnalyticsRecord> sent = records.stream().filter(r -> !r.getPath().equals(tooLong.getPath())).toList();
    List<DogStatsdLine> lines = listener.awaitMetrics(sent.size(), WAIT); // and nothing malformed
    assertThat(lines).hasSameSizeAs(sent);
    List<DogStatsdLine> goodLines = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      if (good.contains(sent.get(i))) {
        goodLines.add(lines.get(i));
      }
    }
    assertMatchesRecords(goodLines, good, "pump.request_time", List.of());
    assertThat(lines).extracting(DogStatsdLine::value).contains(Long.toString(Long.MAX_VALUE));
  }

  /** Each line must be Tyk's histogram for the record at the same position (the client keeps order). */
  private static void assertMatchesRecords(
      List<DogStatsdLine> lines, List<AnalyticsRecord> records, String name, List<String> tags) {
    DogStatsdMetricMapper mapper = new DogStatsdMetricMapper(DogStatsdTag.resolve(tags));
    assertThat(lines).hasSameSizeAs(records);
    for (int i = 0; i < records.size(); i++) {
      DogStatsdMetric expected = mapper.map(records.get(i));
      DogStatsdLine line = lines.get(i);
      List<String> expectedTags = new ArrayList<>(expected.tags());
      expectedTags.add("tyk-pump");
      assertThat(line.name()).as("line %d", i).isEqualTo(name);
      assertThat(line.type()).as("line %d type", i).isEqualTo("h");
      assertThat(line.value()).as("line %d value", i).isEqualTo(Long.toString(records.get(i).getRequestTime()));
      assertThat(line.tags()).as("line %d tags", i).containsExactlyInAnyOrderElementsOf(expectedTags);
      assertThat(line.containerId()).isNull();
    }
  }

  private DogStatsdPump pump(String json) throws Exception {
    return pump(json, () -> 0);
  }

  private DogStatsdPump pump(String json, DoubleSupplier random) throws Exception {
    DogStatsdPump pump = new DogStatsdPump("dd", settings(json), k -> null, random);
    pump.init(context());
    toClose.add(pump::close);
    return pump;
  }

  private StrictDogStatsdListener listen(StrictDogStatsdListener l) {
    toClose.add(0, l);
    return l;
  }

  static DogStatsdSettings settings(String json) {
    try {
      return new ObjectMapper().readValue(json, DogStatsdSettings.class);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  static PumpContext context() {
    return new PumpContext("dd", "dogstatsd", Duration.ofSeconds(5), new SimpleMeterRegistry());
  }
}
