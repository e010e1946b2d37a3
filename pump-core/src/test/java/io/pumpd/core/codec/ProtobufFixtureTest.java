package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The 1000 protobuf fixture records ({@code tyk-records-protobuf.bin}, as a gateway with the
 * protobuf serializer writes them) decode to what Tyk Pump makes of them: rendered with {@link
 * RecordJson}, each is byte for byte its {@code .jsonl} line (Go's {@code encoding/json} of Pump's
 * record, written for a reader whose local zone is UTC).
 */
class ProtobufFixtureTest {
  private static final List<byte[]> RAW = Fixtures.raw(Fixtures.PROTOBUF);
  private static final List<String> EXPECTED = Fixtures.jsonLines(Fixtures.PROTOBUF);

  @Test
  void everyRecordRendersByteForByteAsItsJsonTwin() throws Exception {
    ProtobufRecordDecoder decoder = new ProtobufRecordDecoder(Long.MAX_VALUE, ZoneOffset.UTC);
    assertThat(RAW).hasSize(1000).hasSameSizeAs(EXPECTED);
    int namedZones = 0;
    int unknownLength = 0;
    int graphQl = 0;
    int mcp = 0;
    for (int i = 0; i < RAW.size(); i++) {
      AnalyticsRecord r = decoder.decodeRecord(RAW.get(i));
      assertThat(RecordJson.toJson(r)).as("record %d", i).isEqualTo(EXPECTED.get(i));
      namedZones += r.getZone().equals(ZoneOffset.UTC) ? 0 : 1;
      unknownLength += r.getContentLength() == -1 ? 1 : 0;
      graphQl += r.getGraphQLStats().isGraphQL() ? 1 : 0;
      mcp += r.getMcpStats().isMcp() ? 1 : 0;
    }
    // what the fixture exercises on purpose (fixtures/README.md): this test really compared it
    assertThat(namedZones).isEqualTo(88);
    assertThat(unknownLength).isEqualTo(28);
    assertThat(graphQl).isEqualTo(100);
    assertThat(mcp).isPositive();
  }

  @Test
  void localRecordsAreShownInTheReadersZoneAndTheOthersAsTheySay() throws Exception {
    ZoneId tokyo = ZoneId.of("Asia/Tokyo");
    ProtobufRecordDecoder utcReader = new ProtobufRecordDecoder(Long.MAX_VALUE, ZoneOffset.UTC);
    ProtobufRecordDecoder tokyoReader = new ProtobufRecordDecoder(Long.MAX_VALUE, tokyo);
    int local = 0;
    for (int i = 0; i < RAW.size(); i++) {
      AnalyticsRecord asUtc = utcReader.decodeRecord(RAW.get(i));
      AnalyticsRecord asTokyo = tokyoReader.decodeRecord(RAW.get(i));
      // the instant never depends on the reader
      assertThat(asTokyo.getTimeStamp()).isEqualTo(asUtc.getTimeStamp());
      assertThat(asTokyo.getExpireAt()).isEqualTo(asUtc.getExpireAt());
      String json = RecordJson.toJson(asTokyo);
      if (asTokyo.getZone().equals(tokyo)) {
        local++;
        assertThat(json).contains("\"timestamp\":\"" + RecordJson.formatTime(asUtc.getTimeStamp(), tokyo) + "\"");
        assertThat(json).contains("+09:00\"");
        assertThat(Instant.parse(RecordJson.formatTime(asUtc.getTimeStamp(), tokyo)))
            .isEqualTo(asUtc.getTimeStamp());
      } else {
        assertThat(json).as("record %d", i).isEqualTo(EXPECTED.get(i));
      }
    }
    assertThat(local).isEqualTo(713);
  }
}
