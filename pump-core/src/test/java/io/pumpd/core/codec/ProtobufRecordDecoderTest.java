package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.Latency;
import io.pumpd.core.record.McpStats;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The protobuf decoder on crafted messages: Tyk Pump's transform, its edges, and bad input. */
class ProtobufRecordDecoderTest {
  private static final List<byte[]> FIXTURE = Fixtures.raw(Fixtures.PROTOBUF);
  private static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

  private final ProtobufRecordDecoder decoder = new ProtobufRecordDecoder(Long.MAX_VALUE, ZoneOffset.UTC);

  private AnalyticsRecord decode(Proto p) throws RecordDecodeException {
    return decoder.decodeRecord(p.toByteArray());
  }

  private String failure(byte[] element) {
    Throwable t = catchThrowable(() -> decoder.decodeRecord(element));
    assertThat(t).isInstanceOf(RecordDecodeException.class);
    return t.getMessage();
  }

  // ---- the transform ----

  @Test
  void aMinimalRecordHasGoZeroValuesAndItsTimes() throws Exception {
    AnalyticsRecord r = decode(Proto.minimalRecord("UTC"));
    assertThat(r.getTimeStamp()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 5));
    assertThat(r.getExpireAt()).isEqualTo(Instant.ofEpochSecond(1_702_592_000L, 5));
    assertThat(r.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(r.getGeo()).isSameAs(GeoData.EMPTY);
    assertThat(r.getLatency()).isSameAs(Latency.EMPTY);
    assertThat(r.getTags()).isNull();
    assertThat(r.getGraphQLStats()).isSameAs(GraphQLStats.EMPTY);
    assertThat(r.getMcpStats()).isSameAs(McpStats.EMPTY);
    assertThat(RecordJson.toJson(r)).isEqualTo(RecordJson.toJson(new AnalyticsRecord()
        .setTimeStamp(r.getTimeStamp()).setExpireAt(r.getExpireAt())));
  }

  @Test
  void missingTimesAreTheUnixEpochAsInTykPump() throws Exception {
    byte[] noTimes = Proto.message()
        .message(19, Proto.message())
        .message(23, Proto.message().message(1, Proto.message()).message(2, Proto.message())
            .message(3, Proto.message()))
        .message(24, Proto.message())
        .toByteArray();
    AnalyticsRecord r = decoder.decodeRecord(noTimes);
    assertThat(r.getTimeStamp()).isEqualTo(Instant.EPOCH);
    assertThat(r.getExpireAt()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void goZeroTimeStaysGoZeroTime() throws Exception {
    byte[] zero = Proto.message()
        .message(13, Proto.time(1_700_000_000L, 0))
        .message(19, Proto.message())
        .message(23, Proto.message().message(1, Proto.message()).message(2, Proto.message())
            .message(3, Proto.message()))
        .message(24, Proto.message())
        .message(28, Proto.time(GoTime.ZERO.getEpochSecond(), 0))
        .string(30, "Asia/Kathmandu")
        .toByteArray();
    AnalyticsRecord r = decoder.decodeRecord(zero);
    assertThat(r.getExpireAt()).isSameAs(GoTime.ZERO);
    // Go's zero time in a named zone is in that zone's local mean time of year 1: +05:41:16
    assertThat(RecordJson.toJson(r)).contains("\"expireAt\":\"0001-01-01T05:41:16+05:41\"");
  }

  @Test
  void latencyGatewayCityNamesAndErrorPathsDoNotSurviveAndEmptyTagsAreNull() throws Exception {
    Proto graph = Proto.message().varint(1, 1)
        .string(7, "boom").string(7, "")
        .message(2, Proto.message().string(1, "Query").message(2, Proto.message().string(1, "a").string(1, "b")))
        .message(2, Proto.message().string(1, "Empty").message(2, Proto.message()))
        .varint(3, 2).string(4, "{\"x\":1}").varint(6, 1);
    byte[] element = Proto.message()
        .message(19, Proto.message().varint(1, 10).varint(2, 7))
        .message(23, Proto.message()
            .message(1, Proto.message().string(1, "NP"))
            .message(2, Proto.message()
                .message(1, Proto.message().string(1, "en").string(2, "Kathmandu"))
                .varint(2, 4_294_967_295L))
            .message(3, Proto.message().fixed64(1, Double.doubleToLongBits(27.7))
                .fixed64(2, Double.doubleToLongBits(-0.0)).string(3, "Asia/Kathmandu")))
        .message(32, graph)
        .message(33, Proto.message().varint(1, 1).string(2, "tools/call").string(3, "tool").string(4, "search"))
        .appendedTo(Proto.minimalRecord("UTC").toByteArray());
    AnalyticsRecord r = decoder.decodeRecord(element);
    assertThat(r.getLatency()).isEqualTo(new Latency(10, 7, 0));
    assertThat(r.getGeo().country().isoCode()).isEqualTo("NP");
    assertThat(r.getGeo().city()).isEqualTo(new GeoData.City(4_294_967_295L, null));
    assertThat(r.getGeo().location()).isEqualTo(new GeoData.Location(27.7, -0.0, "Asia/Kathmandu"));
    GraphQLStats g = r.getGraphQLStats();
    assertThat(g.isGraphQL()).isTrue();
    assertThat(g.operationType()).isEqualTo(2);
    assertThat(g.hasErrors()).isTrue();
    assertThat(g.variables()).isEqualTo("{\"x\":1}");
    assertThat(g.rootFields()).isNull();
    assertThat(g.errors()).containsExactly(new GraphQLStats.GraphError("boom", null),
        new GraphQLStats.GraphError("", null));
    assertThat(g.types()).containsEntry("Query", List.of("a", "b")).containsEntry("Empty", null).hasSize(2);
    assertThat(r.getMcpStats()).isEqualTo(new McpStats(true, "tools/call", "tool", "search"));
    assertThat(r.getTags()).isNull();
    assertThat(RecordJson.toJson(r))
        .contains("\"latency\":{\"total\":10,\"upstream\":7,\"gateway\":0}")
        .contains("\"names\":null")
        .contains("\"Errors\":[{\"message\":\"boom\",\"path\":null},{\"message\":\"\",\"path\":null}]")
        .contains("\"Types\":{\"Empty\":null,\"Query\":[\"a\",\"b\"]}")
        .contains("\"longitude\":-0");
  }

  @Test
  void aGraphQlMessageWithoutContentStillHasTypesAndErrorsAndUnknownOperationsAreZero() throws Exception {
    for (long op : new long[] {0, 4, 1000, -1}) {
      AnalyticsRecord r = decoder.decodeRecord(Proto.message().message(32, Proto.message().varint(3, op))
          .appendedTo(Proto.minimalRecord("UTC").toByteArray()));
      GraphQLStats g = r.getGraphQLStats();
      assertThat(g.operationType()).as("op %d", op).isZero();
      assertThat(g.isGraphQL()).isFalse();
      assertThat(g.types()).isEmpty();
      assertThat(g.errors()).isEmpty();
      assertThat(g.rootFields()).isNull();
      assertThat(RecordJson.toJson(r)).contains("\"graphql_stats\":{\"Variables\":\"\",\"RootFields\":null,"
          + "\"Types\":{},\"Errors\":[],\"OperationType\":0,\"HasErrors\":false,\"IsGraphQL\":false}");
    }
  }

  @Test
  void repeatedOccurrencesFollowProtobufLastScalarWinsMessagesMergeListsAppend() throws Exception {
    byte[] element = Proto.message()
        .string(3, "/first").string(3, "/second")
        .message(19, Proto.message().varint(1, 10))
        .message(19, Proto.message().varint(2, 4))
        .string(25, "a").string(25, "b")
        .appendedTo(Proto.minimalRecord("UTC").toByteArray());
    AnalyticsRecord r = decoder.decodeRecord(element);
    assertThat(r.getPath()).isEqualTo("/second");
    assertThat(r.getLatency()).isEqualTo(new Latency(10, 4, 0));
    assertThat(r.getTags()).containsExactly("a", "b");
  }

  @Test
  void unknownFieldsOfEveryWireTypeAreSkipped() throws Exception {
    byte[] plain = Proto.minimalRecord("UTC").string(3, "/p").toByteArray();
    byte[] withUnknown = Proto.message()
        .varint(99, -1).fixed64(100, 7).fixed32(101, 7).string(102, "newer gateway")
        .tag(103, 3).varint(1, 5).tag(104, 3).string(2, "x").tag(104, 4).tag(103, 4)
        .message(19, Proto.message().varint(50, 1))
        .message(23, Proto.message().message(2, Proto.message().string(9, "x")))
        .appendedTo(plain);
    assertThat(RecordJson.toJson(decoder.decodeRecord(withUnknown)))
        .isEqualTo(RecordJson.toJson(decoder.decodeRecord(plain)));
  }

  @Test
  void contentLengthOfUnknownLengthIsMinusOne() throws Exception {
    AnalyticsRecord r = decode(Proto.minimalRecord("UTC").varint(5, -1));
    assertThat(r.getContentLength()).isEqualTo(-1);
  }

  // ---- time zones ----

  @Test
  void timesAreShownInTheNamedZone() throws Exception {
    AnalyticsRecord r = decode(Proto.minimalRecord("Asia/Kathmandu"));
    assertThat(r.getZone()).isEqualTo(KATHMANDU);
    assertThat(r.getTimeStamp()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 5));
    assertThat(RecordJson.toJson(r))
        .contains("\"timestamp\":\"2023-11-15T03:58:20.000000005+05:45\"")
        .contains("\"expireAt\":\"2023-12-15T03:58:20.000000005+05:45\"");
  }

  @Test
  void localIsTheReadersZoneAndUtcOrNothingIsUtc() throws Exception {
    ProtobufRecordDecoder kolkata = new ProtobufRecordDecoder(Long.MAX_VALUE, ZoneId.of("Asia/Kolkata"));
    AnalyticsRecord local = kolkata.decodeRecord(Proto.minimalRecord("Local").toByteArray());
    assertThat(local.getZone()).isEqualTo(ZoneId.of("Asia/Kolkata"));
    assertThat(RecordJson.toJson(local)).contains("\"timestamp\":\"2023-11-15T03:43:20.000000005+05:30\"");
    for (String utc : new String[] {"UTC", ""}) {
      AnalyticsRecord r = kolkata.decodeRecord(Proto.minimalRecord(utc).toByteArray());
      assertThat(r.getZone()).as("'%s'", utc).isEqualTo(ZoneOffset.UTC);
      assertThat(RecordJson.toJson(r)).contains("\"timestamp\":\"2023-11-14T22:13:20.000000005Z\"");
    }
    assertThat(new ProtobufRecordDecoder().localZone()).isEqualTo(ZoneId.systemDefault());
    assertThat(new ProtobufRecordDecoder().decodeRecord(Proto.minimalRecord("Local").toByteArray()).getZone())
        .isEqualTo(ZoneId.systemDefault());
  }

  @ParameterizedTest
  @ValueSource(strings = {"+0530", "CEST", "/etc/localtime", "Mars/Olympus_Mons", "UTC+01:00", "local", "utc"})
  void aZoneNameGoCannotLoadLeavesBothTimesZeroAsTykPumpDoes(String name) throws Exception {
    AnalyticsRecord r = decode(Proto.minimalRecord(name).string(3, "/kept"));
    assertThat(r.getPath()).isEqualTo("/kept");
    assertThat(r.getTimeStamp()).isEqualTo(GoTime.ZERO);
    assertThat(r.getExpireAt()).isEqualTo(GoTime.ZERO);
    assertThat(RecordJson.toJson(r)).contains("\"timestamp\":\"0001-01-01T00:00:00Z\"");
  }

  @Test
  void aTimeOutOfRangeIsRefused() {
    byte[] far = Proto.message().message(13, Proto.time(Long.MAX_VALUE, 0))
        .appendedTo(Proto.minimalRecord("UTC").toByteArray());
    assertThat(failure(far)).contains("TimeStamp").contains("out of range");
  }

  // ---- bad input ----

  @Test
  void anEmptyElementIsRefused() {
    assertThat(failure(new byte[0])).contains("empty element");
    assertThat(failure(null)).contains("empty element");
  }

  @Test
  void aMessageLackingWhatEveryGatewayWritesIsRefused() {
    byte[] noGeo = Proto.message().message(19, Proto.message()).message(24, Proto.message()).toByteArray();
    assertThat(failure(noGeo)).contains("Geo (23) is missing");
    byte[] noCity = Proto.message().message(19, Proto.message()).message(24, Proto.message())
        .message(23, Proto.message().message(1, Proto.message()).message(3, Proto.message())).toByteArray();
    assertThat(failure(noCity)).contains("Geo.City (23.2) is missing");
    byte[] noLatency = Proto.message().message(24, Proto.message())
        .message(23, Proto.message().message(1, Proto.message()).message(2, Proto.message())
            .message(3, Proto.message())).toByteArray();
    assertThat(failure(noLatency)).contains("Latency (19) is missing");
  }

  @Test
  void everyTruncationIsRefusedOrIsARecordThatEndsAtAFieldBoundary() throws Exception {
    byte[] full = FIXTURE.get(2);
    int refused = 0;
    for (int len = 1; len < full.length; len++) {
      byte[] prefix = Arrays.copyOf(full, len);
      try {
        AnalyticsRecord r = decoder.decodeRecord(prefix);
        // only a cut between two fields after Network (24) leaves a readable record
        assertThat(r.getHost()).isEqualTo(decoder.decodeRecord(full).getHost());
      } catch (RecordDecodeException e) {
        refused++;
      }
    }
    assertThat(refused).isGreaterThan(full.length - 20);
    assertThat(failure(Arrays.copyOf(full, full.length - 1))).startsWith("truncated");
  }

  @Test
  void aKnownFieldWithAnotherWireTypeIsRefusedNamingIt() {
    byte[] pathAsVarint = Proto.message().varint(3, 7).appendedTo(FIXTURE.get(0));
    assertThat(failure(pathAsVarint))
        .contains("field Path (3)").contains("wire type 0 (varint), expected 2 (length-delimited)");
    byte[] nested = Proto.message().message(23, Proto.message().message(3, Proto.message().string(1, "x")))
        .appendedTo(FIXTURE.get(0));
    assertThat(failure(nested)).contains("field Geo.Location.Latitude (1)");
  }

  @Test
  void invalidUtf8IsRefusedAsGoRefusesIt() {
    for (byte[] bad : new byte[][] {
        {(byte) 0xff}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {'a', (byte) 0xe2, (byte) 0x82}}) {
      byte[] element = Proto.message().bytes(3, bad).appendedTo(FIXTURE.get(0));
      assertThat(failure(element)).contains("field Path").contains("not valid UTF-8");
      byte[] inNames = Proto.message().message(23, Proto.message().message(2, Proto.message()
          .message(1, Proto.message().bytes(1, bad)))).appendedTo(FIXTURE.get(0));
      assertThat(failure(inNames)).contains("field Geo.City.Names.key").contains("not valid UTF-8");
    }
  }

  @Test
  void aReplacementCharacterThatIsReallyThereIsKept() throws Exception {
    AnalyticsRecord r = decode(Proto.minimalRecord("UTC").string(3, "/\uFFFD/é/😀"));
    assertThat(r.getPath()).isEqualTo("/\uFFFD/é/😀");
  }

  @Test
  void lengthsAndTagsThatCannotBeAreRefused() {
    byte[] base = FIXTURE.get(0);
    // a length past the end
    assertThat(failure(Proto.message().tag(3, 2).raw((byte) 0xe8, (byte) 0x07).raw("short".getBytes())
        .appendedTo(base))).startsWith("truncated: field Path").contains("declares 1000 bytes");
    // a 10-byte length of 2^32 + 1, which a 32-bit reading would take for 1
    assertThat(failure(Proto.message().tag(3, 2)
        .raw((byte) 0x81, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x10).raw((byte) 'x')
        .appendedTo(base))).contains("declares 4294967297 bytes");
    // invalid wire types 6 and 7, field number 0, an end-group without a start
    assertThat(failure(Proto.message().tag(99, 6).appendedTo(base))).contains("invalid wire type 6");
    assertThat(failure(Proto.message().tag(99, 7).appendedTo(base))).contains("invalid wire type 7");
    assertThat(failure(Proto.message().raw((byte) 0x02, (byte) 0x00).appendedTo(base))).contains("not protobuf");
    assertThat(failure(Proto.message().tag(99, 4).appendedTo(base))).contains("without a start");
    // a group that does not end, and groups nested past the limit
    assertThat(failure(Proto.message().tag(99, 3).varint(1, 1).appendedTo(base))).contains("has no end");
    Proto deep = Proto.message();
    for (int i = 0; i < 100; i++) {
      deep.tag(99, 3);
    }
    assertThat(failure(deep.appendedTo(base))).contains("nested deeper than 64");
    // a varint of more than 10 bytes
    byte[] longVarint = new byte[12];
    Arrays.fill(longVarint, (byte) 0x80);
    assertThat(failure(Proto.message().tag(5, 0).raw(longVarint).appendedTo(base))).contains("not protobuf");
  }

  @Test
  void garbageIsRefusedAndNothingButRecordDecodeExceptionEscapes() {
    assertThat(failure("not msgpack at all".getBytes(StandardCharsets.US_ASCII))).isNotBlank();
    assertThat(failure(FIXTURE.get(0).length > 0 ? Fixtures.raw(Fixtures.MODERN).get(0) : null)).isNotBlank();
    Random random = new Random(20261207);
    for (int i = 0; i < 5000; i++) {
      byte[] garbage = new byte[1 + random.nextInt(2000)];
      random.nextBytes(garbage);
      Throwable t = catchThrowable(() -> decoder.decodeRecord(garbage));
      assertThat(t).as("garbage %d", i).isInstanceOf(RecordDecodeException.class);
    }
    // and flipped bytes of real records: refused or decoded, never anything else
    for (int i = 0; i < 5000; i++) {
      byte[] element = FIXTURE.get(random.nextInt(FIXTURE.size())).clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        element[random.nextInt(element.length)] = (byte) random.nextInt(256);
      }
      Throwable t = catchThrowable(() -> decoder.decodeRecord(element));
      if (t != null) {
        assertThat(t).as("mutation %d", i).isInstanceOf(RecordDecodeException.class);
      }
    }
  }

  // ---- limits ----

  @Test
  void anElementThatWouldDecodeToTooMuchHeapIsStoppedWhileDecoding() {
    ProtobufRecordDecoder limited = new ProtobufRecordDecoder(128 * 1024, ZoneOffset.UTC);
    Proto tags = Proto.message();
    for (int i = 0; i < 15_000; i++) { // 4 bytes each on the wire, about 57 decoded
      tags.string(25, "a");
    }
    byte[] amplified = tags.appendedTo(Proto.minimalRecord("UTC").toByteArray());
    assertThat(amplified.length).isLessThan(64 * 1024);
    assertThatThrownBy(() -> limited.decodeRecord(amplified))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("decodes to more than 131072 bytes of heap")
        .hasMessageContaining("at field Tags");
    // empty strings cost no string, but still their references
    Proto empties = Proto.message();
    for (int i = 0; i < 30_000; i++) {
      empties.bytes(25, new byte[0]);
    }
    assertThatThrownBy(() -> limited.decodeRecord(empties.appendedTo(Proto.minimalRecord("UTC").toByteArray())))
        .hasMessageContaining("at field Tags");
    // and the same decoder goes on with the next element
    assertThat(catchThrowable(() -> limited.decodeRecord(FIXTURE.get(1)))).isNull();
  }

  @Test
  void theHeapOfARecordIsEstimatedLikeMsgpacks() throws Exception {
    MsgpackRecordDecoder msgpack = new MsgpackRecordDecoder();
    List<byte[]> modern = Fixtures.raw(Fixtures.MODERN);
    long protobufHeap = 0;
    long msgpackHeap = 0;
    for (int i = 0; i < 1000; i++) {
      decoder.decodeRecord(FIXTURE.get(i));
      protobufHeap += decoder.lastHeapBytes();
      msgpack.decodeRecord(modern.get(i));
      msgpackHeap += msgpack.lastHeapBytes();
    }
    // the same records (less what protobuf does not carry): about the same estimate
    assertThat((double) protobufHeap / msgpackHeap).isBetween(0.8, 1.05);
  }
}
