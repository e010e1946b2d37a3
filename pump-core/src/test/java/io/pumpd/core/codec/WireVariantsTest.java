package io.pumpd.core.codec;

import static io.pumpd.core.codec.CorruptInputTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.Latency;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.NetworkStats;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.testing.Fixtures;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Valid wire forms other than what today's gateway writes, which Go's {@code vmihailenco/msgpack}
 * decoder accepts and so must we: unknown keys (any shape, at any level) skipped, missing keys at
 * their zero value, nil for anything, the positional (array) struct form, other integer widths,
 * bin strings, the timestamp extension.
 */
class WireVariantsTest {
  private final MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();

  /** A real modern record with GraphQL errors, city names and MCP stats where available. */
  private static Map<String, Object> richRecord() throws RecordDecodeException {
    MsgpackRecordDecoder d = new MsgpackRecordDecoder();
    for (byte[] b : Fixtures.raw(Fixtures.MODERN)) {
      AnalyticsRecord r = d.decodeRecord(b);
      if (r.getGraphQLStats().errors() != null && r.getTags() != null) {
        return Msgpack.unpackMap(b);
      }
    }
    throw new IllegalStateException("no GraphQL record in the fixture");
  }

  private JsonNode json(byte[] b) throws RecordDecodeException {
    return RecordJson.mapper().valueToTree(decoder.decodeRecord(b));
  }

  @Test
  void unknownKeysOfAnyShapeAreSkippedAtEveryLevel() throws Exception {
    Map<String, Object> wire = richRecord();
    JsonNode expected = json(Msgpack.pack(wire));

    Object weird =
        map("nested", map("deep", List.of(1L, map("x", null), List.of(List.of("y")))),
            "bin", new Msgpack.Raw(new byte[] {(byte) 0xc4, 3, 1, 2, 3}),
            "ext", new Msgpack.Raw(new byte[] {(byte) 0xd7, 9, 1, 2, 3, 4, 5, 6, 7, 8}),
            "f32", new Msgpack.Raw(new byte[] {(byte) 0xca, 0x3f, (byte) 0x80, 0, 0}),
            "neg", -5L, "big", new BigInteger("18446744073709551615"), "t", true);
    Map<String, Object> changed = new LinkedHashMap<>();
    changed.put("AFieldFromTheFuture", weird);
    wire.forEach(
        (k, v) -> {
          changed.put(k, v);
          if (k.equals("Day")) {
            changed.put("Zone", "Europe/Berlin"); // unknown key mid-record
          }
        });
    changed.put("method", "lower-case keys are different keys");
    changed.put("Trailer", List.of(weird, weird));
    @SuppressWarnings("unchecked")
    Map<String, Object> geo = (Map<String, Object>) changed.get("Geo");
    geo.put("Postal", map("Code", "018956", "Extra", weird));
    @SuppressWarnings("unchecked")
    Map<String, Object> gql = (Map<String, Object>) changed.get("GraphQLStats");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> errors = (List<Map<String, Object>>) gql.get("Errors");
    errors.get(0).put("Locations", List.of(map("line", 1L, "column", 7L)));
    ((Map<String, Object>) changed.get("Latency")).put("Queue", 3L);

    assertThat(json(Msgpack.pack(changed))).isEqualTo(expected);
  }

  @Test
  void eachMissingKeyLeavesItsGoZeroValue() throws Exception {
    Map<String, Object> wire = richRecord();
    ObjectNode full = (ObjectNode) json(Msgpack.pack(wire));
    JsonNode zero = RecordJson.mapper().valueToTree(new AnalyticsRecord());
    Map<String, String> jsonKeyOf = goToJsonKeys();
    for (String goKey : new ArrayList<>(wire.keySet())) {
      Map<String, Object> without = new LinkedHashMap<>(wire);
      without.remove(goKey);
      AnalyticsRecord r = decoder.decodeRecord(Msgpack.pack(without));
      ObjectNode expected = full.deepCopy();
      if (goKey.equals("CollectionName")) {
        assertThat(r.getCollectionName()).isEmpty();
      } else {
        String jsonKey = jsonKeyOf.get(goKey);
        expected.set(jsonKey, zero.get(jsonKey));
      }
      assertThat((JsonNode) RecordJson.mapper().valueToTree(r)).as("without %s", goKey).isEqualTo(expected);
    }
  }

  @Test
  void anEmptyMapIsTheZeroRecord() throws Exception {
    AnalyticsRecord r = decoder.decodeRecord(new byte[] {(byte) 0x80});
    assertThat(RecordJson.toJson(r)).isEqualTo(RecordJson.toJson(new AnalyticsRecord()));
    assertThat(r.getTimeStamp()).isSameAs(GoTime.ZERO);
    assertThat(r.getTags()).isNull();
  }

  @Test
  void nilForEveryFieldIsItsZeroValue() throws Exception {
    Map<String, Object> allNil = new LinkedHashMap<>();
    richRecord().keySet().forEach(k -> allNil.put(k, null));
    AnalyticsRecord r = decoder.decodeRecord(Msgpack.pack(allNil));
    assertThat(RecordJson.toJson(r)).isEqualTo(RecordJson.toJson(new AnalyticsRecord()));

    Map<String, Object> nestedNil =
        map("Geo", map("Country", null, "City", map("GeoNameID", null, "Names", null), "Location", null),
            "GraphQLStats", map("Errors", List.of(map("Message", null, "Path", null)), "Types", map("Query", null)),
            "Latency", map("Total", null, "Upstream", 4L));
    AnalyticsRecord n = decoder.decodeRecord(Msgpack.pack(nestedNil));
    assertThat(n.getGeo()).isEqualTo(GeoData.EMPTY);
    assertThat(n.getLatency()).isEqualTo(new Latency(0, 4, 0));
    assertThat(n.getGraphQLStats().errors()).containsExactly(new GraphQLStats.GraphError("", null));
    Map<String, List<String>> types = new LinkedHashMap<>();
    types.put("Query", null);
    assertThat(n.getGraphQLStats().types()).isEqualTo(types);
  }

  @Test
  void thePositionalArrayStructFormDecodesLikeTheMapForm() throws Exception {
    Map<String, Object> wire = richRecord();
    JsonNode expected = json(Msgpack.pack(wire));
    List<Object> positional = new ArrayList<>();
    wire.forEach(
        (k, v) -> {
          if (k.equals("Geo") || k.equals("Network") || k.equals("Latency") || k.equals("MCPStats")) {
            positional.add(structToArray(v));
          } else {
            positional.add(v);
          }
        });
    assertThat(positional).hasSize(35);
    assertThat(json(Msgpack.pack(positional))).isEqualTo(expected);

    // fewer elements: the rest keep zero values; more: the extra ones are skipped
    AnalyticsRecord prefix = decoder.decodeRecord(Msgpack.pack(positional.subList(0, 3)));
    assertThat(prefix.getMethod()).isEqualTo(wire.get("Method"));
    assertThat(prefix.getPath()).isEqualTo(wire.get("Path"));
    assertThat(prefix.getRawPath()).isEmpty();
    List<Object> longer = new ArrayList<>(positional);
    longer.add(map("future", List.of(1L, 2L)));
    longer.add("more");
    assertThat(json(Msgpack.pack(longer))).isEqualTo(expected);
  }

  @SuppressWarnings("unchecked")
  private static Object structToArray(Object v) {
    if (!(v instanceof Map)) {
      return v;
    }
    List<Object> out = new ArrayList<>();
    ((Map<String, Object>) v)
        .forEach((k, x) -> out.add(k.equals("Names") ? x : structToArray(x)));
    return out;
  }

  static Stream<Object[]> integerWidths() {
    return Stream.of(
        new Object[] {"positive fixint", new byte[] {0x05}, 5L},
        new Object[] {"negative fixint", new byte[] {(byte) 0xff}, -1L},
        new Object[] {"uint8", new byte[] {(byte) 0xcc, (byte) 0xc8}, 200L},
        new Object[] {"uint16", new byte[] {(byte) 0xcd, (byte) 0xff, (byte) 0xff}, 65535L},
        new Object[] {"uint32", new byte[] {(byte) 0xce, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, 4294967295L},
        new Object[] {"uint64", new byte[] {(byte) 0xcf, 0, 0, 0, 1, 0x2a, 0x05, (byte) 0xf2, 0}, 5000000000L},
        new Object[] {"uint64 above int64 wraps as in Go", new byte[] {(byte) 0xcf, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, -1L},
        new Object[] {"int8", new byte[] {(byte) 0xd0, (byte) 0x80}, -128L},
        new Object[] {"int16", new byte[] {(byte) 0xd1, (byte) 0x80, 0}, -32768L},
        new Object[] {"int32", new byte[] {(byte) 0xd2, (byte) 0x80, 0, 0, 0}, (long) Integer.MIN_VALUE},
        new Object[] {"int64", new byte[] {(byte) 0xd3, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0}, Long.MIN_VALUE},
        new Object[] {"nil", new byte[] {(byte) 0xc0}, 0L});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("integerWidths")
  void contentLengthAcceptsEveryIntegerWidth(String what, byte[] value, long expected) throws Exception {
    byte[] b = Msgpack.pack(map("ContentLength", new Msgpack.Raw(value)));
    assertThat(decoder.decodeRecord(b).getContentLength()).isEqualTo(expected);
  }

  @Test
  void stringsMayComeAsEveryStrOrBinForm() throws Exception {
    String ua = "x".repeat(300);
    byte[] utf8 = ua.getBytes();
    byte[] bin16 = new byte[3 + utf8.length];
    bin16[0] = (byte) 0xc5;
    bin16[1] = (byte) (utf8.length >> 8);
    bin16[2] = (byte) utf8.length;
    System.arraycopy(utf8, 0, bin16, 3, utf8.length);
    byte[] str32 = {(byte) 0xdb, 0, 0, 0, 3, 'G', 'E', 'T'};
    AnalyticsRecord r =
        decoder.decodeRecord(Msgpack.pack(map("UserAgent", new Msgpack.Raw(bin16), "Method", new Msgpack.Raw(str32))));
    assertThat(r.getUserAgent()).isEqualTo(ua);
    assertThat(r.getMethod()).isEqualTo("GET");
  }

  @Test
  void invalidUtf8BecomesTheReplacementCharacterAsInGoJson() throws Exception {
    byte[] b = Msgpack.pack(map("Path", new Msgpack.Raw(new byte[] {(byte) 0xa3, '/', (byte) 0xff, 'a'})));
    assertThat(decoder.decodeRecord(b).getPath()).isEqualTo("/\uFFFDa");
  }

  @Test
  void timesAcceptGoArraysTheTimestampExtensionAndNil() throws Exception {
    // [seconds, nanos] with nanos outside [0, 1e9) normalised as Go's time.Unix does
    AnalyticsRecord r =
        decoder.decodeRecord(Msgpack.pack(map("TimeStamp", List.of(1668567714L, -1L), "ExpireAt", null)));
    assertThat(r.getTimeStamp()).isEqualTo(Instant.parse("2022-11-16T03:01:53.999999999Z"));
    assertThat(r.getExpireAt()).isSameAs(GoTime.ZERO);

    byte[] fixext4 = {(byte) 0xd6, -1, 0x63, 0x74, 0x52, (byte) 0xa2};
    long packed = (648000000L << 34) | 1668567714L;
    byte[] fixext8 = new byte[10];
    fixext8[0] = (byte) 0xd7;
    fixext8[1] = -1;
    for (int i = 0; i < 8; i++) {
      fixext8[2 + i] = (byte) (packed >>> (56 - 8 * i));
    }
    byte[] ext8 = {(byte) 0xc7, 12, -1, 0, 0, 0, 7, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf1, (byte) 0x88, 0x6e, 0x09, 0x00};
    AnalyticsRecord e =
        decoder.decodeRecord(
            Msgpack.pack(map("TimeStamp", new Msgpack.Raw(fixext4), "ExpireAt", new Msgpack.Raw(fixext8))));
    assertThat(e.getTimeStamp()).isEqualTo(Instant.parse("2022-11-16T03:01:54Z"));
    assertThat(e.getExpireAt()).isEqualTo(Instant.parse("2022-11-16T03:01:54.648Z"));
    AnalyticsRecord old = decoder.decodeRecord(Msgpack.pack(map("TimeStamp", new Msgpack.Raw(ext8))));
    assertThat(old.getTimeStamp()).isEqualTo(Instant.ofEpochSecond(-62135596800L, 7));
  }

  @Test
  void aTwoElementArray16TimeIsAcceptedToo() throws Exception {
    byte[] array16 = {(byte) 0xdc, 0, 2, (byte) 0xce, 0x63, 0x74, 0x52, (byte) 0xa2, 0};
    AnalyticsRecord r = decoder.decodeRecord(Msgpack.pack(map("TimeStamp", new Msgpack.Raw(array16))));
    assertThat(r.getTimeStamp()).isEqualTo(Instant.parse("2022-11-16T03:01:54Z"));
  }

  @Test
  void theGoZeroTimeDecodesToTheSharedConstant() throws Exception {
    AnalyticsRecord r = decoder.decodeRecord(Msgpack.pack(map("ExpireAt", List.of(-62135596800L, 0L))));
    assertThat(r.getExpireAt()).isSameAs(GoTime.ZERO);
    assertThat(RecordJson.toJson(r)).contains("\"expireAt\":\"0001-01-01T00:00:00Z\"");
  }

  @Test
  void errorPathsKeepStringsIntegersAndHugeUnsignedIntegers() throws Exception {
    List<Object> path = List.of("users", 0L, "friends", -3L, new BigInteger("18446744073709551615"), 1.5, true);
    byte[] b = Msgpack.pack(map("GraphQLStats", map("Errors", List.of(map("Message", "boom", "Path", path)))));
    List<Object> got = decoder.decodeRecord(b).getGraphQLStats().errors().get(0).path();
    assertThat(got).containsExactly("users", 0L, "friends", -3L, new BigInteger("18446744073709551615"), 1.5, true);
    assertThat(RecordJson.toJson(decoder.decodeRecord(b)))
        .contains("\"path\":[\"users\",0,\"friends\",-3,18446744073709551615,1.5,true]");
  }

  @Test
  void floatCoordinatesMayComeAsFloat32OrIntegers() throws Exception {
    byte[] f32 = {(byte) 0xca, 0x3f, (byte) 0xc0, 0, 0}; // 1.5f
    AnalyticsRecord r =
        decoder.decodeRecord(
            Msgpack.pack(map("Geo", map("Location", map("Latitude", new Msgpack.Raw(f32), "Longitude", 103L)))));
    assertThat(r.getGeo().location().latitude()).isEqualTo(1.5);
    assertThat(r.getGeo().location().longitude()).isEqualTo(103.0);
  }

  @Test
  void allZeroNestedStructsShareTheEmptyConstants() throws Exception {
    Map<String, Object> wire = Msgpack.unpackMap(Fixtures.raw(Fixtures.MODERN).get(0));
    AnalyticsRecord r = decoder.decodeRecord(Msgpack.pack(wire));
    if (r.getNetwork().equals(NetworkStats.EMPTY)) {
      assertThat(r.getNetwork()).isSameAs(NetworkStats.EMPTY);
    }
    if (r.getMcpStats().equals(McpStats.EMPTY)) {
      assertThat(r.getMcpStats()).isSameAs(McpStats.EMPTY);
    }
  }

  @Test
  void uptimeRecordsAcceptThePumpSideIdAndUnknownKeys() throws Exception {
    Map<String, Object> wire = Msgpack.unpackMap(Fixtures.raw(Fixtures.UPTIME).get(0));
    JsonNode expected = RecordJson.mapper().valueToTree(decoder.decodeUptime(Msgpack.pack(wire)));
    Map<String, Object> changed = new LinkedHashMap<>(wire);
    changed.remove("ID"); // as the gateway writes it
    changed.put("ID", "5f0c"); // and at the end
    changed.put("Region", map("name", "eu"));
    UptimeRecord u = decoder.decodeUptime(Msgpack.pack(changed));
    assertThat(u.getId()).isEqualTo("5f0c");
    ObjectNode withId = expected.deepCopy();
    withId.put("_id", "5f0c");
    assertThat((JsonNode) RecordJson.mapper().valueToTree(u)).isEqualTo(withId);
    // positional form: Tyk Pump's struct (ID, then the gateway's 14 fields), as in the fixture
    List<Object> positional = new ArrayList<>(wire.values());
    assertThat(wire.keySet()).startsWith("ID", "URL");
    assertThat(positional).hasSize(15);
    assertThat((JsonNode) RecordJson.mapper().valueToTree(decoder.decodeUptime(Msgpack.pack(positional))))
        .isEqualTo(expected);
  }

  /** Go field name to json tag, from the model's own annotations order (same declaration order). */
  private static Map<String, String> goToJsonKeys() {
    String[] go = {
      "Method", "Host", "Path", "RawPath", "ContentLength", "UserAgent", "Day", "Month", "Year",
      "Hour", "ResponseCode", "APIKey", "TimeStamp", "APIVersion", "APIName", "APIID", "OrgID",
      "OauthID", "RequestTime", "RawRequest", "RawResponse", "IPAddress", "Geo", "Network",
      "Latency", "Tags", "Alias", "TrackPath", "ExpireAt", "ApiSchema", "OriginalPath",
      "ListenPath", "GraphQLStats", "MCPStats"
    };
    List<String> json = new ArrayList<>();
    RecordJson.mapper().valueToTree(new AnalyticsRecord()).fieldNames().forEachRemaining(json::add);
    assertThat(json).hasSize(go.length);
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < go.length; i++) {
      out.put(go[i], json.get(i));
    }
    return out;
  }
}
