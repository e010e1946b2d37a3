package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.deadletter.CapturedLog;
import io.pumpd.core.deadletter.FileDeadLetterQueue;
import io.pumpd.core.deadletter.RateLimitedLogger;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchDecoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "analytics-tyk-system-analytics";
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T09:30:00Z"), ZoneOffset.UTC);

  @TempDir Path tmp;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CapturedLog log = new CapturedLog(BatchDecoderTest.class);

  @AfterEach
  void detach() {
    log.close();
  }

  @Test
  void badElementsAreCountedLoggedAndDeadLetteredWhileTheGoodOnesComeOutInOrder() throws Exception {
    List<byte[]> good = Fixtures.raw(Fixtures.MODERN).subList(0, 20);
    byte[] truncated = Arrays.copyOf(good.get(3), 100);
    byte[] garbage = "not msgpack at all".getBytes();
    byte[] empty = new byte[0];
    byte[] wrongType = Msgpack.pack(CorruptInputTest.map("ResponseCode", "200"));
    List<byte[]> batch = new ArrayList<>(good);
    batch.add(0, truncated);
    batch.add(8, garbage);
    batch.add(15, empty);
    batch.add(wrongType);
    List<byte[]> bad = List.of(truncated, garbage, empty, wrongType);

    List<AnalyticsRecord> records;
    try (FileDeadLetterQueue dlq = new FileDeadLetterQueue(tmp, registry, CLOCK)) {
      BatchDecoder decoder =
          new BatchDecoder(dlq, registry, new RateLimitedLogger(log.logger(), Duration.ofSeconds(10)),
              Long.MAX_VALUE);
      records = decoder.decode(KEY, batch).records();
      assertThat(decoder.undecodable()).isEqualTo(4);
      assertThat(dlq.written()).isEqualTo(4);
    }

    // only the good records, in their order, each exactly as decoded on its own
    assertThat(records).hasSize(20).doesNotContainNull();
    List<String> expected = Fixtures.jsonLines(Fixtures.MODERN).subList(0, 20);
    for (int i = 0; i < 20; i++) {
      assertThat(RecordJson.toJson(records.get(i))).as("record %d", i).isEqualTo(expected.get(i));
    }

    // counted
    assertThat(registry.get("pump.records.undecodable").tag("source", KEY).counter().count()).isEqualTo(4);

    // dead-lettered with their exact bytes and the reason
    Path file = tmp.resolve("dead-letter-2026-11-20.jsonl");
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(4);
    for (int i = 0; i < 4; i++) {
      JsonNode e = JSON.readTree(lines.get(i));
      assertThat(e.get("kind").asText()).isEqualTo("undecodable");
      assertThat(e.get("source").asText()).isEqualTo(KEY);
      assertThat(Base64.getDecoder().decode(e.get("raw_base64").asText())).isEqualTo(bad.get(i));
    }
    assertThat(JSON.readTree(lines.get(0)).get("reason").asText()).startsWith("truncated");
    assertThat(JSON.readTree(lines.get(2)).get("reason").asText()).contains("empty");
    assertThat(JSON.readTree(lines.get(3)).get("reason").asText()).contains("key ResponseCode:");

    // logged once (rate-limited), naming the key and the reason
    assertThat(log.messages(Level.WARN))
        .singleElement()
        .satisfies(m -> assertThat(m).contains(KEY).contains("truncated").contains("dead-lettered"));
  }

  @Test
  void uptimeBatchesAreHandledTheSameWay() throws Exception {
    String key = "host-checker:tyk-uptime-analytics";
    List<byte[]> batch = new ArrayList<>(Fixtures.raw(Fixtures.UPTIME).subList(0, 5));
    byte[] bad = {(byte) 0x92, 1};
    batch.add(2, bad);
    List<UptimeRecord> records;
    try (FileDeadLetterQueue dlq = new FileDeadLetterQueue(tmp, registry, CLOCK)) {
      records = new BatchDecoder(dlq, registry).decodeUptime(key, batch).records();
    }
    assertThat(records).hasSize(5).doesNotContainNull();
    assertThat(RecordJson.toJson(records.get(2))).isEqualTo(Fixtures.jsonLines(Fixtures.UPTIME).get(2));
    assertThat(registry.get("pump.records.undecodable").tag("source", key).counter().count()).isEqualTo(1);
    List<String> lines = Files.readAllLines(tmp.resolve("dead-letter-2026-11-20.jsonl"));
    assertThat(lines).hasSize(1);
    assertThat(Base64.getDecoder().decode(JSON.readTree(lines.get(0)).get("raw_base64").asText())).isEqualTo(bad);
  }

  @Test
  void aBatchOfOnlyGoodElementsTouchesNeitherTheCounterNorTheFile() throws Exception {
    try (FileDeadLetterQueue dlq = new FileDeadLetterQueue(tmp, registry, CLOCK)) {
      List<AnalyticsRecord> records =
          new BatchDecoder(dlq, registry).decode(KEY, Fixtures.raw(Fixtures.LEGACY)).records();
      assertThat(records).hasSize(200);
      assertThat(dlq.written()).isZero();
    }
    assertThat(registry.find("pump.records.undecodable").counter()).isNull();
    try (var files = Files.list(tmp)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void anElementOverTheLimitIsDeadLetteredWithItsBytesWithoutBeingDecoded() throws Exception {
    List<byte[]> good = Fixtures.raw(Fixtures.MODERN).subList(0, 3);
    AnalyticsRecord big = Fixtures.records(Fixtures.MODERN).get(0).setRawRequest("x".repeat(5000));
    byte[] tooLarge = new MsgpackRecordEncoder().encode(big);
    BatchDecoder.Decoded<AnalyticsRecord> d;
    try (FileDeadLetterQueue dlq = new FileDeadLetterQueue(tmp, registry, CLOCK)) {
      d = new BatchDecoder(dlq, registry, 4096).decode(KEY, List.of(good.get(0), tooLarge, good.get(1)));
    }
    assertThat(d.records()).hasSize(2);
    assertThat(d.undecodable()).isEqualTo(1);
    JsonNode e = JSON.readTree(Files.readAllLines(tmp.resolve("dead-letter-2026-11-20.jsonl")).get(0));
    assertThat(e.get("reason").asText()).isEqualTo("element of " + tooLarge.length
        + " bytes is larger than max_element_bytes (4096)");
    assertThat(Base64.getDecoder().decode(e.get("raw_base64").asText())).isEqualTo(tooLarge);
  }

  @Test
  void anElementThatWouldDecodeToTooMuchHeapIsStoppedWhileDecoding() throws Exception {
    // 20 000 one-character tags: 40 KB on the wire, about 1 MB of strings and references decoded
    AnalyticsRecord tags = Fixtures.records(Fixtures.MODERN).get(1)
        .setTags(java.util.Collections.nCopies(20_000, "a"));
    byte[] amplified = new MsgpackRecordEncoder().encode(tags);
    assertThat(amplified.length).isLessThan(64 * 1024);
    BatchDecoder.Decoded<AnalyticsRecord> d;
    try (FileDeadLetterQueue dlq = new FileDeadLetterQueue(tmp, registry, CLOCK)) {
      d = new BatchDecoder(dlq, registry, 64 * 1024).decode(KEY, List.of(amplified));
    }
    assertThat(d.records()).isEmpty();
    JsonNode e = JSON.readTree(Files.readAllLines(tmp.resolve("dead-letter-2026-11-20.jsonl")).get(0));
    assertThat(e.get("reason").asText()).contains("decodes to more than 131072 bytes of heap")
        .contains("key Tags");
  }

  @Test
  void theHeapOfWhatWasDecodedIsEstimatedAndABudgetStopsEarly() {
    List<byte[]> batch = Fixtures.raw(Fixtures.MODERN).subList(0, 100);
    BatchDecoder decoder = new BatchDecoder(new io.pumpd.core.testing.RecordingDeadLetters(), registry);
    BatchDecoder.Decoded<AnalyticsRecord> all = decoder.decode(KEY, batch);
    long wire = batch.stream().mapToLong(b -> b.length).sum();
    assertThat(all.consumed()).isEqualTo(100);
    assertThat(all.heapBytes()).isBetween(wire, 10 * wire);
    BatchDecoder.Decoded<AnalyticsRecord> some = decoder.decode(KEY, batch, all.heapBytes() / 4);
    assertThat(some.consumed()).isBetween(20, 30);
    assertThat(some.records()).hasSize(some.consumed());
    assertThat(some.heapBytes()).isGreaterThanOrEqualTo(all.heapBytes() / 4);
  }

  // ---- protobuf elements (the *_protobuf keys) ----

  private static final String PROTOBUF_KEY = "analytics-tyk-system-analytics_protobuf";

  private BatchDecoder protobufDecoder(FileDeadLetterQueue dlq, long maxElementBytes) {
    return new BatchDecoder(dlq, registry, new RateLimitedLogger(log.logger(), Duration.ofSeconds(10)),
        maxElementBytes, ZoneOffset.UTC);
  }

  @Test
  void badProtobufElementsAreDeadLetteredLikeBadMsgpackOnesWhileTheGoodOnesComeOutInOrder()
      throws Exception {
    List<byte[]> good = Fixtures.raw(Fixtures.PROTOBUF).subList(0, 20);
    byte[] truncated = Arrays.copyOf(good.get(3), 100);
    byte[] garbage = "not protobuf at all".getBytes();
    byte[] empty = new byte[0];
    byte[] wrongWireType = Proto.message().varint(3, 200).appendedTo(good.get(5));
    byte[] msgpack = Fixtures.raw(Fixtures.MODERN).get(0);
    List<byte[]> batch = new ArrayList<>(good);
    batch.add(0, truncated);
    batch.add(8, garbage);
    batch.add(15, empty);
    batch.add(19, msgpack);
    batch.add(wrongWireType);
    List<byte[]> bad = List.of(truncated, garbage, empty, msgpack, wrongWireType);

    BatchDecoder.Decoded<AnalyticsRecord> d;
    try (FileDeadLetterQueue dlq = new FileDeadLetterQueue(tmp, registry, CLOCK)) {
      BatchDecoder decoder = protobufDecoder(dlq, Long.MAX_VALUE);
      d = decoder.decodeProtobuf(PROTOBUF_KEY, batch);
      assertThat(decoder.undecodable()).isEqualTo(5);
      assertThat(dlq.written()).isEqualTo(5);
    }
    assertThat(d.consumed()).isEqualTo(25);
    assertThat(d.undecodable()).isEqualTo(5);
    assertThat(d.notDeadLettered()).isEmpty();

    // only the good records, in their order, each as Tyk Pump reads it
    List<String> expected = Fixtures.jsonLines(Fixtures.PROTOBUF).subList(0, 20);
    assertThat(d.records()).hasSize(20).doesNotContainNull();
    for (int i = 0; i < 20; i++) {
      assertThat(RecordJson.toJson(d.records().get(i))).as("record %d", i).isEqualTo(expected.get(i));
    }

    assertThat(registry.get("pump.records.undecodable").tag("source", PROTOBUF_KEY).counter().count())
        .isEqualTo(5);
    List<String> lines = Files.readAllLines(tmp.resolve("dead-letter-2026-11-20.jsonl"));
    assertThat(lines).hasSize(5);
    for (int i = 0; i < 5; i++) {
      JsonNode e = JSON.readTree(lines.get(i));
      assertThat(e.get("kind").asText()).isEqualTo("undecodable");
      assertThat(e.get("source").asText()).isEqualTo(PROTOBUF_KEY);
      assertThat(Base64.getDecoder().decode(e.get("raw_base64").asText())).isEqualTo(bad.get(i));
    }
    assertThat(JSON.readTree(lines.get(0)).get("reason").asText()).startsWith("truncated");
    assertThat(JSON.readTree(lines.get(1)).get("reason").asText()).isNotBlank();
    assertThat(JSON.readTree(lines.get(2)).get("reason").asText()).contains("empty element");
    assertThat(JSON.readTree(lines.get(4)).get("reason").asText())
        .contains("field Path (3)").contains("wire type 0");
    assertThat(log.messages(Level.WARN))
        .singleElement()
        .satisfies(m -> assertThat(m).contains(PROTOBUF_KEY).contains("truncated").contains("dead-lettered"));
  }

  @Test
  void aProtobufElementOverTheSizeLimitOrThatWouldDecodeToTooMuchHeapIsDeadLettered() throws Exception {
    List<byte[]> good = Fixtures.raw(Fixtures.PROTOBUF).subList(0, 3);
    byte[] tooLarge = Proto.message().string(20, "x".repeat(70_000)).appendedTo(good.get(0));
    Proto tags = Proto.message();
    for (int i = 0; i < 15_000; i++) {
      tags.string(25, "a");
    }
    byte[] amplified = tags.appendedTo(Proto.minimalRecord("UTC").toByteArray());
    assertThat(amplified.length).isLessThan(64 * 1024);
    BatchDecoder.Decoded<AnalyticsRecord> d;
    try (FileDeadLetterQueue dlq = new FileDeadLetterQueue(tmp, registry, CLOCK)) {
      d = protobufDecoder(dlq, 64 * 1024)
          .decodeProtobuf(PROTOBUF_KEY, List.of(good.get(0), tooLarge, good.get(1), amplified, good.get(2)));
    }
    assertThat(d.records()).hasSize(3);
    assertThat(d.undecodable()).isEqualTo(2);
    List<String> lines = Files.readAllLines(tmp.resolve("dead-letter-2026-11-20.jsonl"));
    assertThat(JSON.readTree(lines.get(0)).get("reason").asText())
        .isEqualTo("element of " + tooLarge.length + " bytes is larger than max_element_bytes (65536)");
    assertThat(JSON.readTree(lines.get(1)).get("reason").asText())
        .contains("decodes to more than 131072 bytes of heap").contains("at field Tags");
    assertThat(Base64.getDecoder().decode(JSON.readTree(lines.get(1)).get("raw_base64").asText()))
        .isEqualTo(amplified);
  }

  @Test
  void aHeapBudgetStopsAProtobufBatchEarlyToo() {
    List<byte[]> batch = Fixtures.raw(Fixtures.PROTOBUF).subList(0, 100);
    BatchDecoder decoder = new BatchDecoder(new io.pumpd.core.testing.RecordingDeadLetters(), registry);
    BatchDecoder.Decoded<AnalyticsRecord> all = decoder.decodeProtobuf(KEY, batch);
    long wire = batch.stream().mapToLong(b -> b.length).sum();
    assertThat(all.consumed()).isEqualTo(100);
    assertThat(all.heapBytes()).isBetween(wire, 10 * wire);
    BatchDecoder.Decoded<AnalyticsRecord> some = decoder.decodeProtobuf(KEY, batch, all.heapBytes() / 4);
    assertThat(some.consumed()).isBetween(20, 30);
    assertThat(some.records()).hasSize(some.consumed());
  }

  @Test
  void anyElementDecoderIsDrivenTheSameWayAndItsBugsAreDeadLetteredNotThrown() throws Exception {
    ElementDecoder<String> buggy = new ElementDecoder<>() {
      @Override
      public String decode(byte[] element) throws RecordDecodeException {
        if (element.length == 1) {
          throw new IllegalStateException("bug");
        }
        if (element.length == 2) {
          throw new RecordDecodeException("two bytes");
        }
        return new String(element);
      }

      @Override
      public long lastHeapBytes() {
        return 10;
      }
    };
    BatchDecoder.Decoded<String> d;
    try (FileDeadLetterQueue dlq = new FileDeadLetterQueue(tmp, registry, CLOCK)) {
      BatchDecoder decoder = new BatchDecoder(dlq, registry, 8);
      assertThat(decoder.maxElementHeapBytes()).isEqualTo(16);
      d = decoder.decode(KEY, List.of("abc".getBytes(), new byte[] {1}, new byte[] {1, 2},
          "123456789".getBytes(), "xyz".getBytes()), Long.MAX_VALUE, buggy);
    }
    assertThat(d.records()).containsExactly("abc", "xyz");
    assertThat(d.heapBytes()).isEqualTo(20);
    List<String> reasons = new ArrayList<>();
    for (String line : Files.readAllLines(tmp.resolve("dead-letter-2026-11-20.jsonl"))) {
      reasons.add(JSON.readTree(line).get("reason").asText());
    }
    assertThat(reasons).containsExactly("decoder failure: java.lang.IllegalStateException: bug",
        "two bytes", "element of 9 bytes is larger than max_element_bytes (8)");
  }
}
