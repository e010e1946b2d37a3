package io.pumpd.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordPreparerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static PumpEntry entry(String json) throws Exception {
    return JSON.readValue(json, PumpEntry.class);
  }

  private static AnalyticsRecord rec(String api, String org, int code) {
    return new AnalyticsRecord().setApiId(api).setOrgId(org).setResponseCode(code)
        .setRawRequest("R".repeat(50)).setRawResponse("S".repeat(50)).setApiKey("k");
  }

  @Test
  void aPumpWithoutOptionsGetsTheSharedBatchUnchanged() throws Exception {
    RecordPreparer p = new RecordPreparer(entry("{}"), 0, false);
    List<AnalyticsRecord> batch = Fixtures.records(Fixtures.MODERN);
    assertThat(p.isPassThrough()).isTrue();
    assertThat(p.prepare(batch)).isSameAs(batch);
  }

  @Test
  void blockListsWinOverAllowListsAndEmptyAllowListsAllowAll() throws Exception {
    RecordPreparer p = new RecordPreparer(entry("""
        {"filters": {"api_ids": ["a1", "a2"], "skip_api_ids": ["a2"],
                     "skip_response_codes": [404], "org_ids": []}}"""), 0, false);
    List<AnalyticsRecord> out = p.prepare(List.of(
        rec("a1", "o", 200), rec("a2", "o", 200), rec("a3", "o", 200), rec("a1", "o", 404)));
    assertThat(out).extracting(AnalyticsRecord::getApiId, AnalyticsRecord::getResponseCode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a1", 200));
  }

  @Test
  void orgAndResponseCodeAllowLists() throws Exception {
    RecordPreparer p = new RecordPreparer(entry("""
        {"filters": {"org_ids": ["o1"], "response_codes": [200, 201], "skip_org_ids": ["o9"]}}"""),
        0, false);
    List<AnalyticsRecord> out = p.prepare(List.of(
        rec("a", "o1", 200), rec("a", "o2", 200), rec("a", "o1", 500), rec("a", "o9", 200),
        rec("a", "o1", 201)));
    assertThat(out).extracting(AnalyticsRecord::getResponseCode).containsExactly(200, 201);
  }

  @Test
  void omitDetailedRecordingBlanksRawDataWithoutTouchingTheSharedRecord() throws Exception {
    AnalyticsRecord shared = rec("a", "o", 200);
    List<AnalyticsRecord> out =
        new RecordPreparer(entry("{\"omit_detailed_recording\": true}"), 0, false)
            .prepare(List.of(shared));
    assertThat(out.get(0).getRawRequest()).isEmpty();
    assertThat(out.get(0).getRawResponse()).isEmpty();
    assertThat(shared.getRawRequest()).hasSize(50);
  }

  @Test
  void globalOmitDetailedRecordingAppliesToEveryPump() throws Exception {
    List<AnalyticsRecord> out = new RecordPreparer(entry("{}"), 0, true)
        .prepare(List.of(rec("a", "o", 200)));
    assertThat(out.get(0).getRawRequest()).isEmpty();
  }

  @Test
  void maxRecordSizeTruncatesRawDataAtAByteBoundaryAndThePumpValueWins() throws Exception {
    AnalyticsRecord r = rec("a", "o", 200).setRawRequest("é".repeat(10)).setRawResponse("x".repeat(30));
    List<AnalyticsRecord> out =
        new RecordPreparer(entry("{\"max_record_size\": 5}"), 20, false).prepare(List.of(r));
    assertThat(out.get(0).getRawRequest()).isEqualTo("éé"); // 4 bytes: the 3rd é would be split
    assertThat(out.get(0).getRawResponse()).isEqualTo("xxxxx");
    List<AnalyticsRecord> global = new RecordPreparer(entry("{}"), 20, false).prepare(List.of(r));
    assertThat(global.get(0).getRawResponse()).hasSize(20);
  }

  @Test
  void ignoreFieldsZeroTheNamedTopLevelFields() throws Exception {
    AnalyticsRecord r = Fixtures.records(Fixtures.MODERN).stream()
        .filter(x -> !x.getGeo().equals(GeoData.EMPTY)).findFirst().orElseThrow();
    List<AnalyticsRecord> out = new RecordPreparer(
        entry("{\"ignore_fields\": [\"api_key\", \"geo\", \"tags\", \"request_time\"]}"), 0, false)
        .prepare(List.of(r));
    AnalyticsRecord c = out.get(0);
    assertThat(c.getApiKey()).isEmpty();
    assertThat(c.getGeo()).isEqualTo(GeoData.EMPTY);
    assertThat(c.getTags()).isNull();
    assertThat(c.getRequestTime()).isZero();
    assertThat(c.getApiId()).isEqualTo(r.getApiId());
    assertThat(RecordJson.toJson(r)).contains(r.getApiKey());
  }

  @Test
  void rawDecodingTurnsBase64IntoTextAndLeavesInvalidValuesAlone() throws Exception {
    String encoded = Base64.getEncoder().encodeToString("GET / HTTP/1.1\r\n\r\n".getBytes());
    AnalyticsRecord r = rec("a", "o", 200).setRawRequest(encoded).setRawResponse("not base64!");
    List<AnalyticsRecord> out = new RecordPreparer(
        entry("{\"raw_request_decoded\": true, \"raw_response_decoded\": true}"), 0, false)
        .prepare(List.of(r));
    assertThat(out.get(0).getRawRequest()).isEqualTo("GET / HTTP/1.1\r\n\r\n");
    assertThat(out.get(0).getRawResponse()).isEqualTo("not base64!");
  }
}
