package io.pumpd.sinks.csv;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContractKit;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.sinks.csv.testing.FileLockHolder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Pump} contract for the {@code csv} pump on a real file system; the backend stalls and
 * is busy when another process holds the day file's lock ({@link FileLockHolder}).
 */
@DisplayName("csv pump -> file system: Pump contract")
class CsvPumpContractTest extends PumpContractKit {
  @TempDir Path dir;

  @Override
  protected Pump newPump() throws Exception {
    return new CsvPumpFactory().create("contract", new ObjectMapper().readValue(
        "{\"csv_dir\": \"" + dir.resolve("out") + "\"}", CsvSettings.class));
  }

  /** Another process holds the lock of the file the batch's records go to (their UTC day). */
  @Override
  protected AutoCloseable stallBackend() throws Exception {
    return FileLockHolder.lock(dir.resolve("out/2026-November-20.csv"));
  }

  @Override
  protected Rejection rejectPermanently(List<AnalyticsRecord> batch) {
    return notApplicable("a file takes any row and the csv pump renders every decodable record: nothing is"
        + " rejected for good");
  }

  @Override
  protected AutoCloseable makeBackendUnavailable() throws Exception {
    return stallBackend(); // busy past the write's deadline
  }
}
