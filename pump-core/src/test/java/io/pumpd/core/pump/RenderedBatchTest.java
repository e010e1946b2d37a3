package io.pumpd.core.pump;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.core.pump.WriteResult.RecordFailure;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenderedBatchTest {

  private static List<AnalyticsRecord> batch(int n) {
    List<AnalyticsRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new AnalyticsRecord().setPath("/" + i));
    }
    return out;
  }

  @Test
  void aRecordThatCannotBeRenderedFailsAloneWithTheReasonAndTheRestKeepTheirOrder() {
    List<AnalyticsRecord> records = batch(6);
    RenderedBatch<String> r = RenderedBatch.render(records, "a test line", rec -> {
      if (rec.getPath().equals("/1") || rec.getPath().equals("/4")) {
        throw new IllegalArgumentException("boom " + rec.getPath());
      }
      return "line" + rec.getPath();
    });

    assertThat(r.values()).containsExactly("line/0", "line/2", "line/3", "line/5");
    assertThat(r.records()).containsExactly(records.get(0), records.get(2), records.get(3), records.get(5));
    assertThat(List.of(r.position(0), r.position(1), r.position(2), r.position(3))).containsExactly(0, 2, 3, 5);
    assertThat(r.failures()).extracting(RecordFailure::record).containsExactly(records.get(1), records.get(4));
    assertThat(r.failures()).allSatisfy(f -> assertThat(f.retriable()).isFalse());
    assertThat(r.failures().get(0).reason())
        .isEqualTo("cannot render the record as a test line: java.lang.IllegalArgumentException: boom /1");
    assertThat(List.of(r.failedPosition(0), r.failedPosition(1))).containsExactly(1, 4);
    assertThat(r.result()).isEqualTo(new WriteResult(4, r.failures()));
  }

  @Test
  void aRendererReturningNothingIsAFailureNotAHole() {
    RenderedBatch<String> r = RenderedBatch.render(batch(2), "x", rec -> rec.getPath().equals("/0") ? null : "ok");
    assertThat(r.values()).containsExactly("ok");
    assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f.reason()).contains("returned nothing"));
  }

  @Test
  void resultAddsTheBackendsFailuresToTheRenderingOnes() {
    List<AnalyticsRecord> records = batch(3);
    RenderedBatch<String> r = RenderedBatch.render(records, "x", rec -> {
      if (rec.getPath().equals("/0")) {
        throw new IllegalStateException("unrenderable");
      }
      return rec.getPath();
    });
    RecordFailure rejected = new RecordFailure(records.get(2), "backend said no");
    WriteResult result = r.result(1, List.of(rejected));
    assertThat(result.delivered()).isEqualTo(1);
    assertThat(result.failures()).extracting(RecordFailure::record).containsExactly(records.get(0), records.get(2));
    assertThat(r.isEmpty()).isFalse();
    assertThat(RenderedBatch.render(List.of(), "x", rec -> "y").isEmpty()).isTrue();
  }
}
