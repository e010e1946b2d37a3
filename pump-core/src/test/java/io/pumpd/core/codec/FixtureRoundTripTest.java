package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.record.UptimeRecord;
import io.pumpd.core.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class FixtureRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void modernRecordsRenderExactlyAsTheirJsonTwins() throws Exception {
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    List<String> expected = Fixtures.jsonLines(Fixtures.MODERN);
    assertThat(records).hasSize(1000);
    for (int i = 0; i < records.size(); i++) {
      assertThat(JSON.readTree(RecordJson.toJson(records.get(i))))
          .as("record %d", i)
          .isEqualTo(JSON.readTree(expected.get(i)));
    }
  }

  @Test
  void uptimeRecordsRenderExactlyAsTheirJsonTwins() throws Exception {
    MsgpackRecordDecoder d = new MsgpackRecordDecoder();
    List<byte[]> raw = Fixtures.raw(Fixtures.UPTIME);
    List<String> expected = Fixtures.jsonLines(Fixtures.UPTIME);
    for (int i = 0; i < raw.size(); i++) {
      UptimeRecord u = d.decodeUptime(raw.get(i));
      JsonNode got = JSON.readTree(RecordJson.toJson(u));
      assertThat(got).as("uptime %d", i).isEqualTo(JSON.readTree(expected.get(i)));
    }
  }
}
