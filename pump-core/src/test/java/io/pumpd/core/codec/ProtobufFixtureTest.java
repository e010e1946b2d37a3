package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
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
  private final ProtobufRecordDecoder decoder = new ProtobufRecordDecoder(Long.MAX_VALUE, ZoneOffset.UTC);

  @Test
  void everyRecordRendersByteForByteAsItsJsonTwin() throws Exception {
    List<byte[]> raw = Fixtures.raw(Fixtures.PROTOBUF);
    List<String> expected = Fixtures.jsonLines(Fixtures.PROTOBUF);
    assertThat(raw).hasSize(1000).hasSameSizeAs(expected);
    for (int i = 0; i < raw.size(); i++) {
      AnalyticsRecord r = decoder.decodeRecord(raw.get(i));
      assertThat(RecordJson.toJson(r)).as("record %d", i).isEqualTo(expected.get(i));
    }
  }
}
