package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inputs that are not valid records: each must throw {@link RecordDecodeException} (never another
 * exception, never a silently wrong record), with a message that says what and where.
 *
 * <p>The random cases use {@code -Dpump.test.seed=N} (default below); the seed and case number are
 * in each test's display name so a failure can be replayed.
 */
class CorruptInputTest {
  private static final long SEED = Long.getLong("pump.test.seed", 20261120L);
  private static final int RANDOM_CASES = 600;

  private final MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();

  // ---- truncation: a record cut anywhere must fail ----

  static Stream<String> truncatedRecords() {
    return Stream.of("modern, GraphQL errors with mixed paths", "modern, city names and coordinates",
        "modern, raw request (str16)", "modern, MCP stats", "legacy");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("truncatedRecords")
  void everyTruncationOfARealRecordFails(String which) throws Exception {
    byte[] full = realRecord(which);
    assertThat(decoder.decodeRecord(full)).isNotNull();
    for (int len = 0; len < full.length; len++) {
      byte[] cut = Arrays.copyOf(full, len);
      int l = len;
      assertThatThrownBy(() -> decoder.decodeRecord(cut))
          .as("%s cut to %d of %d bytes", which, l, full.length)
          .isExactlyInstanceOf(RecordDecodeException.class);
    }
  }

  @Test
  void everyTruncationOfARealUptimeRecordFails() throws Exception {
    byte[] full = Fixtures.raw(Fixtures.UPTIME).get(0);
    assertThat(decoder.decodeUptime(full)).isNotNull();
    for (int len = 0; len < full.length; len++) {
      byte[] cut = Arrays.copyOf(full, len);
      int l = len;
      assertThatThrownBy(() -> decoder.decodeUptime(cut))
          .as("uptime cut to %d of %d bytes", l, full.length)
          .isExactlyInstanceOf(RecordDecodeException.class);
    }
  }

  @Test
  void truncationMessageSaysTruncatedAndNamesTheKey() throws Exception {
    byte[] full = realRecord("modern, raw request (str16)");
    int cut = indexOf(full, "RawRequest".getBytes()) + 14; // inside the value of RawRequest
    assertThatThrownBy(() -> decoder.decodeRecord(Arrays.copyOf(full, cut)))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining("RawRequest");
  }

  // ---- random corruption: a record or a RecordDecodeException, nothing else ----

  @TestFactory
  Stream<DynamicTest> randomByteFlipsYieldARecordOrADecodeException() {
    List<byte[]> pool = new ArrayList<>(Fixtures.raw(Fixtures.MODERN).subList(0, 200));
    pool.addAll(Fixtures.raw(Fixtures.LEGACY).subList(0, 50));
    return IntStream.range(0, RANDOM_CASES)
        .mapToObj(
            c ->
                dynamicTest(
                    "seed=" + SEED + " case=" + c,
                    () -> {
                      Random rnd = new Random(SEED * 31 + c);
                      byte[] b = pool.get(rnd.nextInt(pool.size())).clone();
                      int flips = 1 + rnd.nextInt(4);
                      for (int i = 0; i < flips; i++) {
                        b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
                      }
                      decodeOrDecodeException(b, "seed=" + SEED + " case=" + c);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> hostileLengthHeadersFailWithoutAllocating() {
    byte[][] headers = {
      {(byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // array32 of 2^31-1
      {(byte) 0xdd, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // array32 of 2^32-1
      {(byte) 0xdf, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // map32
      {(byte) 0xdb, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // str32
      {(byte) 0xc6, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // bin32
      {(byte) 0xc9, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}, // ext32
      {(byte) 0xdc, (byte) 0xff, (byte) 0xff}, // array16
      {(byte) 0xde, (byte) 0xff, (byte) 0xff}, // map16
    };
    List<byte[]> pool = Fixtures.raw(Fixtures.MODERN).subList(0, 100);
    return IntStream.range(0, RANDOM_CASES / 2)
        .mapToObj(
            c ->
                dynamicTest(
                    "seed=" + SEED + " case=" + c,
                    () -> {
                      Random rnd = new Random(SEED * 17 + c);
                      byte[] b = pool.get(rnd.nextInt(pool.size())).clone();
                      byte[] h = headers[rnd.nextInt(headers.length)];
                      int at = rnd.nextInt(b.length - h.length);
                      System.arraycopy(h, 0, b, at, h.length);
                      decodeOrDecodeException(b, "seed=" + SEED + " case=" + c);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> randomBytesYieldADecodeException() {
    return IntStream.range(0, RANDOM_CASES / 2)
        .mapToObj(
            c ->
                dynamicTest(
                    "seed=" + SEED + " case=" + c,
                    () -> {
                      Random rnd = new Random(SEED * 13 + c);
                      byte[] b = new byte[1 + rnd.nextInt(64)];
                      rnd.nextBytes(b);
                      decodeOrDecodeException(b, "seed=" + SEED + " case=" + c);
                    }));
  }

  /** Decodes {@code b}: a record (which must render) or a RecordDecodeException, nothing else. */
  private void decodeOrDecodeException(byte[] b, String where) {
    try {
      AnalyticsRecord r = decoder.decodeRecord(b);
      assertThat(RecordJson.toJson(r)).as(where).startsWith("{");
    } catch (RecordDecodeException e) {
      assertThat(e.getMessage()).as(where).isNotBlank();
    } catch (Throwable t) {
      fail(where + ": " + t, t);
    }
    try {
      decoder.decodeUptime(b);
    } catch (RecordDecodeException e) {
      assertThat(e.getMessage()).as(where).isNotBlank();
    } catch (Throwable t) {
      fail(where + " (as uptime): " + t, t);
    }
  }

  // ---- wrong types name the key ----

  static Stream<Object[]> wrongTypes() {
    return Stream.of(
        new Object[] {map("ResponseCode", "200"), "ResponseCode", "expected an integer"},
        new Object[] {map("ContentLength", 1.5), "ContentLength", "float64"},
        new Object[] {map("Method", 7L), "Method", "expected a string"},
        new Object[] {map("TrackPath", 1L), "TrackPath", "expected a boolean"},
        new Object[] {map("Tags", "key-1"), "Tags", "expected an array"},
        new Object[] {map("Tags", List.of("a", 1L)), "Tags", "expected a string"},
        new Object[] {map("TimeStamp", "2026-11-20T14:00:00Z"), "TimeStamp", "expected a time"},
        new Object[] {map("TimeStamp", List.of(1L, 2L, 3L)), "TimeStamp", "array of 3"},
        new Object[] {map("ExpireAt", List.of(Long.MAX_VALUE, Long.MAX_VALUE)), "ExpireAt", "out of range"},
        new Object[] {map("Day", 1L << 40), "Day", "out of range"},
        new Object[] {map("Geo", "SG"), "Geo", "expected a map"},
        new Object[] {map("Geo", map("City", map("Names", 5L))), "Geo.City.Names", "expected a map"},
        new Object[] {map("Geo", map("City", map("GeoNameID", "x"))), "Geo.City.GeoNameID", "integer"},
        new Object[] {map("Geo", map("Location", map("Latitude", "1.2"))), "Geo.Location.Latitude", "expected a float"},
        new Object[] {map("Latency", map("Total", true)), "Latency.Total", "expected an integer"},
        new Object[] {map("Network", map("BytesIn", List.of())), "Network.BytesIn", "expected an integer"},
        new Object[] {map("MCPStats", map("IsMCP", "yes")), "MCPStats.IsMCP", "expected a boolean"},
        new Object[] {map("GraphQLStats", map("Types", map("Query", "x"))), "GraphQLStats.Types", "expected an array"},
        new Object[] {
          map("GraphQLStats", map("Errors", List.of(map("Path", List.of(map("a", 1L)))))),
          "GraphQLStats.Errors.Path", "expected a string or a number"
        },
        new Object[] {map("GraphQLStats", map("OperationType", "query")), "GraphQLStats.OperationType", "integer"});
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("wrongTypes")
  void aValueOfTheWrongTypeNamesItsKey(Map<String, Object> record, String key, String says) {
    byte[] b = Msgpack.pack(record);
    assertThatThrownBy(() -> decoder.decodeRecord(b))
        .isExactlyInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("key " + key + ":")
        .hasMessageContaining(says);
  }

  @Test
  void uptimeWrongTypeNamesItsKey() {
    byte[] b = Msgpack.pack(map("URL", 5L));
    assertThatThrownBy(() -> decoder.decodeUptime(b))
        .isExactlyInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("key URL:")
        .hasMessageContaining("positive fixint");
  }

  // ---- not a record at all ----

  @Test
  void emptyOrNullElementFails() {
    assertThatThrownBy(() -> decoder.decodeRecord(new byte[0]))
        .isExactlyInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> decoder.decodeRecord(null))
        .isExactlyInstanceOf(RecordDecodeException.class);
    assertThatThrownBy(() -> decoder.decodeUptime(new byte[0]))
        .isExactlyInstanceOf(RecordDecodeException.class);
  }

  static Stream<Object[]> notAMap() {
    return Stream.of(
        new Object[] {"a string", Msgpack.pack("GET /x"), "fixstr"},
        new Object[] {"an integer", Msgpack.pack(200L), "uint8"},
        new Object[] {"a boolean", Msgpack.pack(true), "bool"},
        new Object[] {"a float", Msgpack.pack(1.5), "float64"},
        new Object[] {"nil", new byte[] {(byte) 0xc0}, "nil"},
        new Object[] {"JSON text", "{\"method\":\"GET\"}".getBytes(), "expected a map"},
        new Object[] {"an array of non-struct values", Msgpack.pack(List.of(1L, 2L)), "Method"});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notAMap")
  void aTopLevelValueThatIsNotAStructFails(String what, byte[] b, String says) {
    assertThatThrownBy(() -> decoder.decodeRecord(b))
        .isExactlyInstanceOf(RecordDecodeException.class)
        .hasMessageContaining(says);
  }

  @Test
  void trailingBytesAfterTheRecordFail() throws Exception {
    byte[] full = Fixtures.raw(Fixtures.MODERN).get(0);
    byte[] twice = Arrays.copyOf(full, full.length * 2);
    System.arraycopy(full, 0, twice, full.length, full.length);
    assertThatThrownBy(() -> decoder.decodeRecord(twice))
        .isExactlyInstanceOf(RecordDecodeException.class)
        .hasMessageContaining(full.length + " unexpected bytes");
  }

  @Test
  void aFlippedMapHeaderCountFailsInsteadOfDroppingKeys() throws Exception {
    byte[] b = Fixtures.raw(Fixtures.MODERN).get(0).clone();
    assertThat(b[0] & 0xff).isEqualTo(0xde); // map16 of 35
    b[2] = 3; // now claims 3 entries: the other 32 would be silently lost without the end check
    assertThatThrownBy(() -> decoder.decodeRecord(b))
        .isExactlyInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("unexpected bytes");
  }

  @Test
  void theNeverUsedByteFails() {
    byte[] b = Msgpack.pack(map("Unknown", new Msgpack.Raw(new byte[] {(byte) 0xc1})));
    assertThatThrownBy(() -> decoder.decodeRecord(b))
        .isExactlyInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("key Unknown:")
        .hasMessageContaining("never-used");
  }

  @Test
  void aTimestampExtensionOfAnotherTypeFails() {
    byte[] ext = {(byte) 0xd6, 5, 0, 0, 0, 1}; // fixext4 of type 5
    byte[] b = Msgpack.pack(map("TimeStamp", new Msgpack.Raw(ext)));
    assertThatThrownBy(() -> decoder.decodeRecord(b))
        .isExactlyInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("key TimeStamp:")
        .hasMessageContaining("not a timestamp");
  }

  // ---- helpers ----

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private byte[] realRecord(String which) throws RecordDecodeException {
    if (which.equals("legacy")) {
      return Fixtures.raw(Fixtures.LEGACY).get(0);
    }
    Predicate<AnalyticsRecord> p =
        switch (which) {
          case "modern, GraphQL errors with mixed paths" -> r -> r.getGraphQLStats().errors() != null;
          case "modern, city names and coordinates" -> r -> r.getGeo().city().names() != null;
          case "modern, raw request (str16)" -> r -> r.getRawRequest().length() > 255;
          case "modern, MCP stats" -> r -> r.getMcpStats().isMcp();
          default -> throw new IllegalArgumentException(which);
        };
    for (byte[] b : Fixtures.raw(Fixtures.MODERN)) {
      if (p.test(decoder.decodeRecord(b))) {
        return b;
      }
    }
    throw new IllegalStateException("no fixture record is " + which);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}
