package io.pumpd.sinks.dummy;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContractKit;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.List;
import org.junit.jupiter.api.DisplayName;

/** The {@link Pump} contract for the {@code dummy} pump, which has no backend. */
@DisplayName("dummy pump: Pump contract")
class DummyPumpContractTest extends PumpContractKit {
  private static final String NO_BACKEND = "the dummy pump has no backend: it discards every record at once";

  @Override
  protected Pump newPump() {
    return new DummyPumpFactory().create("contract", new DummySettings());
  }

  @Override
  protected AutoCloseable stallBackend() {
    return nothingCanStall(NO_BACKEND);
  }

  @Override
  protected Rejection rejectPermanently(List<AnalyticsRecord> batch) {
    return notApplicable(NO_BACKEND);
  }

  @Override
  protected AutoCloseable makeBackendUnavailable() {
    return notApplicable(NO_BACKEND);
  }
}
