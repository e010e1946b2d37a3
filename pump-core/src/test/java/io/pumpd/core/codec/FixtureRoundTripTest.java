package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Decoding a fixture element and rendering it with {@link RecordJson} reproduces its {@code .jsonl}
 * twin (what Go's {@code encoding/json} printed): byte for byte for modern and uptime records.
 * Legacy lines were rendered from the older Go struct, so they lack keys ours renders: every key
 * of the line must equal ours, and each extra key of ours must hold the Go zero value.
 */
class FixtureRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void modernRecordsRenderByteForByteAsTheirJsonTwins() {
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    List<String> expected = Fixtures.jsonLines(Fixtures.MODERN);
    assertThat(records).hasSize(1000).hasSameSizeAs(expected);
    for (int i = 0; i < records.size(); i++) {
      assertThat(RecordJson.toJson(records.get(i))).as("record %d", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void uptimeRecordsRenderByteForByteAsTheirJsonTwins() throws Exception {
    MsgpackRecordDecoder d = new MsgpackRecordDecoder();
    List<byte[]> raw = Fixtures.raw(Fixtures.UPTIME);
    List<String> expected = Fixtures.jsonLines(Fixtures.UPTIME);
    assertThat(raw).hasSize(100).hasSameSizeAs(expected);
    for (int i = 0; i < raw.size(); i++) {
      assertThat(RecordJson.toJson(d.decodeUptime(raw.get(i)))).as("uptime %d", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void legacyRecordsRenderTheirKeysExactlyAndTheNewerKeysAsZeroValues() throws Exception {
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.LEGACY);
    List<String> expected = Fixtures.jsonLines(Fixtures.LEGACY);
    assertThat(records).hasSize(200).hasSameSizeAs(expected);
    JsonNode zero = JSON.readTree(RecordJson.toJson(new AnalyticsRecord()));
    for (int i = 0; i < records.size(); i++) {
      JsonNode ours = JSON.readTree(RecordJson.toJson(records.get(i)));
      Set<String> extra = new TreeSet<>();
      compareLegacy("", JSON.readTree(expected.get(i)), ours, zero, extra, "record " + i);
      assertThat(extra)
          .as("record %d: keys only the newer struct has", i)
          .containsExactlyInAnyOrder(
              "api_schema", "original_path", "listen_path", "graphql_stats", "mcp_stats",
              "latency.gateway");
    }
  }

  /** Every key of {@code expected} equals ours; ours' other keys equal {@code zero}'s. */
  private static void compareLegacy(
      String prefix, JsonNode expected, JsonNode ours, JsonNode zero, Set<String> extra, String at) {
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + e.getKey();
      assertThat(ours.has(e.getKey())).as("%s: we render %s", at, key).isTrue();
      JsonNode mine = ours.get(e.getKey());
      if (e.getValue().isObject() && mine.isObject() && zero.get(e.getKey()).isObject()) {
        compareLegacy(key + ".", e.getValue(), mine, zero.get(e.getKey()), extra, at);
      } else {
        assertThat(mine).as("%s: %s", at, key).isEqualTo(e.getValue());
      }
    }
    for (Iterator<String> it = ours.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!expected.has(name)) {
        extra.add(prefix + name);
        assertThat(ours.get(name)).as("%s: %s%s is the Go zero value", at, prefix, name).isEqualTo(zero.get(name));
      }
    }
  }
}
