package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DocumentIdsTest {

  /**
   * Reference vectors of MurmurHash3 x64_128 with seed 0, first half (h1): the values
   * spaolacci/murmur3 (which TykTechnologies/murmur3 forks) tests {@code New64().Sum64()} against.
   * The inputs cover 0 to 44 bytes: empty, tail only, one block plus tail, two blocks plus tail.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|0000000000000000",
        "hello|cbd8a7b341bd9b02",
        "hello, world|342fac623a5ebc8e",
        "19 Jan 2038 at 3:14:07 AM|b89e5988b737affc",
        "The quick brown fox jumps over the lazy dog.|cd99481f9ee902c9"
      })
  void murmur3MatchesReferenceVectors(String input, String expectedHex) {
    long h = DocumentIds.murmur3x64First64(input.getBytes(StandardCharsets.UTF_8));
    assertThat(DocumentIds.hex(h)).isEqualTo(expectedHex);
  }

  @Test
  void unixNanoWrapsLikeGoForTheZeroTime() {
    assertThat(DocumentIds.unixNano(GoTime.ZERO)).isEqualTo(-6795364578871345152L);
    assertThat(DocumentIds.unixNano(Instant.parse("2022-11-16T03:01:54.648Z"))).isEqualTo(1668567714648000000L);
  }

  @Test
  void idHashesTheFieldsTykHashesInTykOrder() {
    AnalyticsRecord r =
        new AnalyticsRecord()
            .setTimeStamp(Instant.parse("2022-11-16T03:01:54.648Z"))
            .setMethod("GET")
            .setPath("/httpbin/get")
            .setIpAddress("172.18.0.1")
            .setApiId("727dad853a8a45f64ab981154d1ffdad")
            .setOauthId("")
            .setRequestTime(3)
            .setAlias("");
    String text = "1668567714648000000GET/httpbin/get172.18.0.1727dad853a8a45f64ab981154d1ffdad3";
    assertThat(DocumentIds.idFor(r))
        .isEqualTo(DocumentIds.hex(DocumentIds.murmur3x64First64(text.getBytes(StandardCharsets.UTF_8))))
        .matches("[0-9a-f]{16}");
    // fields Tyk does not hash don't change the id
    assertThat(DocumentIds.idFor(r.copy().setApiKey("other").setResponseCode(500))).isEqualTo(DocumentIds.idFor(r));
    // fields it hashes do
    assertThat(DocumentIds.idFor(r.copy().setAlias("a"))).isNotEqualTo(DocumentIds.idFor(r));
    assertThat(DocumentIds.idFor(r.copy().setTimeStamp(r.getTimeStamp().plusNanos(1)))).isNotEqualTo(DocumentIds.idFor(r));
  }

  @Test
  void fixtureRecordsGetDistinctStableIds() {
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    Set<String> ids = new HashSet<>();
    for (AnalyticsRecord r : records) {
      String id = DocumentIds.idFor(r);
      assertThat(DocumentIds.idFor(r.copy())).isEqualTo(id);
      ids.add(id);
    }
    assertThat(ids).hasSize(records.size());
  }
}
