package io.pumpd.core.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDeadLetterQueueTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOON = Instant.parse("2026-11-20T12:00:00.25Z");

  @TempDir Path tmp;

  private final MutableClock clock = new MutableClock(NOON);

  private static List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void undecodableEntriesKeepTheExactRawBytes() throws Exception {
    byte[] raw = new byte[300];
    new Random(3).nextBytes(raw);
    Path dir = tmp.resolve("not/yet/there");
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(dir, null, clock)) {
      q.undecodable("analytics-tyk-system-analytics", raw, "truncated: key Path needs 9 bytes");
      assertThat(q.written()).isEqualTo(1);
    }
    Path file = dir.resolve("dead-letter-2026-11-20.jsonl");
    List<JsonNode> entries = lines(file);
    assertThat(entries).hasSize(1);
    JsonNode e = entries.get(0);
    assertThat(e.fieldNames()).toIterable()
        .containsExactly("time", "kind", "source", "reason", "raw_base64");
    assertThat(e.get("time").asText()).isEqualTo("2026-11-20T12:00:00.25Z");
    assertThat(e.get("kind").asText()).isEqualTo("undecodable");
    assertThat(e.get("source").asText()).isEqualTo("analytics-tyk-system-analytics");
    assertThat(e.get("reason").asText()).isEqualTo("truncated: key Path needs 9 bytes");
    assertThat(Base64.getDecoder().decode(e.get("raw_base64").asText())).isEqualTo(raw);
  }

  @Test
  void rejectedRecordsAreWrittenAsTheirJson() throws Exception {
    AnalyticsRecord record = Fixtures.records(Fixtures.MODERN).get(7);
    UptimeRecord uptime = new MsgpackRecordDecoder().decodeUptime(Fixtures.raw(Fixtures.UPTIME).get(0));
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock)) {
      q.rejected("es", record, "mapper_parsing_exception: failed to parse [geo]");
      q.rejectedUptime("uptime", uptime, "timed out after 3 retries");
    }
    List<JsonNode> entries = lines(tmp.resolve("dead-letter-2026-11-20.jsonl"));
    assertThat(entries).hasSize(2);
    JsonNode r = entries.get(0);
    assertThat(r.fieldNames()).toIterable().containsExactly("time", "kind", "pump", "reason", "record");
    assertThat(r.get("kind").asText()).isEqualTo("rejected");
    assertThat(r.get("pump").asText()).isEqualTo("es");
    assertThat(r.get("reason").asText()).isEqualTo("mapper_parsing_exception: failed to parse [geo]");
    assertThat(r.get("record")).isEqualTo(JSON.readTree(RecordJson.toJson(record)));
    JsonNode u = entries.get(1);
    assertThat(u.get("kind").asText()).isEqualTo("rejected_uptime");
    assertThat(u.get("pump").asText()).isEqualTo("uptime");
    assertThat(u.get("record")).isEqualTo(JSON.readTree(RecordJson.toJson(uptime)));
    // the record is embedded byte for byte as RecordJson renders it
    assertThat(Files.readAllLines(tmp.resolve("dead-letter-2026-11-20.jsonl")).get(0))
        .contains("\"record\":" + RecordJson.toJson(record) + "}");
  }

  @Test
  void entriesGoToTheFileOfTheirUtcDay() throws Exception {
    clock.set(Instant.parse("2026-11-20T23:59:59.999Z"));
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock)) {
      q.undecodable("k", new byte[] {1}, "late");
      clock.set(Instant.parse("2026-11-21T00:00:00Z"));
      q.undecodable("k", new byte[] {2}, "early");
      q.undecodable("k", new byte[] {3}, "early again");
    }
    assertThat(FileDeadLetterQueue.fileName(LocalDate.of(2026, 1, 5))).isEqualTo("dead-letter-2026-01-05.jsonl");
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("dead-letter-2026-11-20.jsonl", "dead-letter-2026-11-21.jsonl");
    }
    assertThat(lines(tmp.resolve("dead-letter-2026-11-20.jsonl"))).extracting(n -> n.get("reason").asText())
        .containsExactly("late");
    assertThat(lines(tmp.resolve("dead-letter-2026-11-21.jsonl"))).extracting(n -> n.get("reason").asText())
        .containsExactly("early", "early again");
  }

  @Test
  void eachEntryIsOnDiskWhenTheCallReturns() throws Exception {
    // no buffering: a process killed after the call loses nothing (read back while still open)
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock)) {
      Path file = tmp.resolve("dead-letter-2026-11-20.jsonl");
      for (int i = 0; i < 3; i++) {
        q.undecodable("k", new byte[] {(byte) i}, "n" + i);
        assertThat(Files.readAllLines(file)).hasSize(i + 1);
      }
    }
  }

  @Test
  void appendsToAnExistingDayFile() throws Exception {
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock)) {
      q.undecodable("k", new byte[] {1}, "first run");
    }
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock)) {
      q.undecodable("k", new byte[] {2}, "second run");
    }
    assertThat(lines(tmp.resolve("dead-letter-2026-11-20.jsonl"))).extracting(n -> n.get("reason").asText())
        .containsExactly("first run", "second run");
  }

  @Test
  void concurrentWritersNeverInterleaveOrLoseEntries() throws Exception {
    int threads = 8;
    int perThread = 300;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, registry, Clock.fixed(NOON, ZoneOffset.UTC))) {
      AnalyticsRecord record = Fixtures.records(Fixtures.MODERN).get(0);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    String id = thread + "-" + i;
                    if (i % 2 == 0) {
                      byte[] raw = new byte[1 + (i * 37) % 5000]; // up to ~5 KB: larger than a pipe buffer
                      Arrays.fill(raw, (byte) thread);
                      q.undecodable("k" + thread, raw, id);
                    } else {
                      q.rejected("p" + thread, record, id);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertThat(q.written()).isEqualTo((long) threads * perThread);
      assertThat(q.failures()).isZero();
    } finally {
      pool.shutdownNow();
    }
    List<JsonNode> entries = lines(tmp.resolve("dead-letter-2026-11-20.jsonl")); // each line parses
    assertThat(entries).hasSize(threads * perThread);
    Set<String> ids = new HashSet<>();
    for (JsonNode e : entries) {
      ids.add(e.get("reason").asText());
      if (e.get("kind").asText().equals("undecodable")) {
        byte[] raw = Base64.getDecoder().decode(e.get("raw_base64").asText());
        String thread = e.get("source").asText().substring(1);
        assertThat(raw).containsOnly((byte) Integer.parseInt(thread));
      }
    }
    assertThat(ids).hasSize(threads * perThread);
    assertThat(registry.get("pump.deadletter.entries").tag("kind", "undecodable").counter().count())
        .isEqualTo(threads * perThread / 2.0);
    assertThat(registry.get("pump.deadletter.entries").tag("kind", "rejected").counter().count())
        .isEqualTo(threads * perThread / 2.0);
  }

  @Test
  void aStoreThatCannotBeWrittenThrowsKeepsNothingAndSaysWhy() throws Exception {
    Path notADirectory = Files.writeString(tmp.resolve("occupied"), "a file where the directory should be");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (CapturedLog log = new CapturedLog(FileDeadLetterQueue.class);
        FileDeadLetterQueue q = new FileDeadLetterQueue(notADirectory, registry, clock)) {
      assertThatThrownBy(() -> q.undecodable("k", new byte[] {1}, "one"))
          .isInstanceOf(DeadLetterException.class).hasMessageContaining("occupied");
      assertThatThrownBy(() -> q.write(List.of(
          new DeadLetter.Rejected("p", new AnalyticsRecord(), "two"),
          new DeadLetter.RejectedUptime("u", new UptimeRecord(), "three"))))
          .isInstanceOf(DeadLetterException.class);
      assertThat(q.written()).isZero();
      assertThat(q.failures()).isEqualTo(3);
      assertThat(q.problem()).hasValueSatisfying(p -> assertThat(p).contains("cannot write 2"));
      assertThat(registry.get("pump.deadletter.failures").counter().count()).isEqualTo(3);
      assertThat(log.messages(ch.qos.logback.classic.Level.ERROR))
          .anyMatch(m -> m.contains("Dead-letter store failing") && m.contains("occupied"));
    }
  }

  @Test
  void aFullDiskKeepsNoPartOfTheCallAndTheStoreRecoversWhenSpaceIsBack() throws Exception {
    Path file = tmp.resolve("dead-letter-2026-11-20.jsonl");
    Files.createSymbolicLink(file, Path.of("/dev/full")); // every write: ENOSPC
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock)) {
      assertThatThrownBy(() -> q.undecodable("k", new byte[100], "disk full"))
          .isInstanceOf(DeadLetterException.class).hasMessageContaining("No space left");
      assertThat(q.problem()).isPresent();
      Files.delete(file); // space is back
      q.undecodable("k", new byte[] {7}, "after");
      assertThat(q.problem()).isEmpty();
      assertThat(q.written()).isEqualTo(1);
    }
    assertThat(lines(file)).extracting(n -> n.get("reason").asText()).containsExactly("after");
  }

  @Test
  void aLineLeftIncompleteByACrashIsEndedBeforeTheNextEntry() throws Exception {
    Path file = tmp.resolve("dead-letter-2026-11-20.jsonl");
    Files.writeString(file, "{\"time\":\"2026-11-20T11:00:00Z\",\"kind\":\"undecod");
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock)) {
      q.undecodable("k", new byte[] {1}, "after the crash");
    }
    List<String> raw = Files.readAllLines(file);
    assertThat(raw).hasSize(2);
    assertThat(JSON.readTree(raw.get(1)).get("reason").asText()).isEqualTo("after the crash");
  }

  @Test
  void aRecordThatCannotBeRenderedIsKeptReEncodedWithTheRenderError() throws Exception {
    ObjectMapper failing = new ObjectMapper().registerModule(new SimpleModule()
        .addSerializer(AnalyticsRecord.class, new StdSerializer<>(AnalyticsRecord.class) {
          @Override
          public void serialize(AnalyticsRecord value, JsonGenerator gen, SerializerProvider p)
              throws java.io.IOException {
            gen.writeStartObject();
            gen.writeStringField("half", "written");
            throw new java.time.DateTimeException("Invalid value for Year");
          }
        }));
    AnalyticsRecord record = Fixtures.records(Fixtures.MODERN).get(3);
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock, failing)) {
      q.write(List.of(new DeadLetter.Rejected("csv", record, "poison"),
          new DeadLetter.Undecodable("k", new byte[] {9}, "next")));
    }
    List<JsonNode> entries = lines(tmp.resolve("dead-letter-2026-11-20.jsonl"));
    assertThat(entries).hasSize(2);
    JsonNode e = entries.get(0);
    assertThat(e.fieldNames()).toIterable()
        .containsExactly("time", "kind", "pump", "reason", "render_error", "raw_base64");
    assertThat(e.get("render_error").asText()).contains("Invalid value for Year");
    byte[] raw = Base64.getDecoder().decode(e.get("raw_base64").asText());
    assertThat(RecordJson.toJson(new MsgpackRecordDecoder().decodeRecord(raw)))
        .isEqualTo(RecordJson.toJson(record));
    assertThat(entries.get(1).get("reason").asText()).isEqualTo("next");
  }

  @Test
  void aLargeElementIsWrittenWithItsExactBytes() throws Exception {
    byte[] raw = new byte[8 << 20];
    new Random(5).nextBytes(raw);
    try (FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock)) {
      q.undecodable("k", raw, "element of 8388608 bytes is larger than max_element_bytes (1048576)");
    }
    JsonNode e = lines(tmp.resolve("dead-letter-2026-11-20.jsonl")).get(0);
    assertThat(Base64.getDecoder().decode(e.get("raw_base64").asText())).isEqualTo(raw);
  }

  @Test
  void writesAfterCloseThrow() throws Exception {
    FileDeadLetterQueue q = new FileDeadLetterQueue(tmp, null, clock);
    q.undecodable("k", new byte[] {1}, "before");
    q.close();
    assertThatThrownBy(() -> q.undecodable("k", new byte[] {2}, "after"))
        .isInstanceOf(DeadLetterException.class).hasMessageContaining("closed");
    q.close(); // idempotent
    assertThat(q.written()).isEqualTo(1);
    assertThat(q.failures()).isEqualTo(1);
  }

  /** A clock the test moves. */
  private static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
