package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class MsgpackRecordEncoderTest {

  @Test
  void reEncodingAFixtureRecordGivesTheGatewaysExactBytes() {
    List<byte[]> raw = Fixtures.raw(Fixtures.MODERN);
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    MsgpackRecordEncoder encoder = new MsgpackRecordEncoder();
    for (int i = 0; i < records.size(); i++) {
      assertThat(encoder.encode(records.get(i))).as("record %d", i).isEqualTo(raw.get(i));
    }
  }

  @Test
  void encodedRecordsDecodeToTheSameRecord() throws Exception {
    MsgpackRecordEncoder encoder = new MsgpackRecordEncoder();
    MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();
    for (AnalyticsRecord r : Fixtures.records(Fixtures.LEGACY)) {
      AnalyticsRecord again = decoder.decodeRecord(encoder.encode(r));
      assertThat(RecordJson.toJson(again)).isEqualTo(RecordJson.toJson(r));
    }
  }
}
