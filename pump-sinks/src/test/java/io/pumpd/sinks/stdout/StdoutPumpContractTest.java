package io.pumpd.sinks.stdout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContractKit;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.sinks.stdout.testing.PipeCollector;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/** The {@link Pump} contract for the {@code stdout} pump printing into a real pipe ({@link PipeCollector}). */
@DisplayName("stdout pump -> OS pipe: Pump contract")
class StdoutPumpContractTest extends PumpContractKit {
  private PipeCollector collector;

  @BeforeEach
  void startCollector() {
    collector = closeAfterEach(PipeCollector.start());
  }

  @Override
  protected Pump newPump() throws Exception {
    return new StdoutPump(new ObjectMapper().readValue("{\"format\":\"json\"}", StdoutSettings.class),
        collector.out(), Clock.systemUTC());
  }

  @Override
  protected AutoCloseable stallBackend() throws Exception {
    return collector.pause();
  }

  @Override
  protected Rejection rejectPermanently(List<AnalyticsRecord> batch) {
    return notApplicable("standard output takes any line: stdout prints every decodable record, and nobody answers"
        + " for a record");
  }

  @Override
  protected AutoCloseable makeBackendUnavailable() {
    return notApplicable("standard output is never unavailable for now: a stalled reader holds writes (check b)"
        + " and a closed pipe does not come back (PumpException)");
  }
}
