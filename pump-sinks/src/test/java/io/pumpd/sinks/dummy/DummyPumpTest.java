package io.pumpd.sinks.dummy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DummyPumpTest {
  @Test
  void discardsEveryDecodableRecordAndCountsIt() throws Exception {
    DummyPump p = new DummyPump();
    p.init(new PumpContext("dummy", "dummy", Duration.ZERO, new SimpleMeterRegistry()));
    List<AnalyticsRecord> records = HostileRecords.amongGood(Fixtures.records(Fixtures.MODERN).subList(0, 100));

    WriteResult r = p.write(records, Deadline.NONE).toCompletableFuture().join();

    assertThat(r).isEqualTo(WriteResult.delivered(records.size()));
    assertThat(p.discarded()).isEqualTo(records.size());
  }
}
