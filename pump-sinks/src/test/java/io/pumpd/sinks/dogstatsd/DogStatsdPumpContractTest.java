package io.pumpd.sinks.dogstatsd;

import static io.pumpd.sinks.dogstatsd.DogStatsdPumpStrictListenerTest.settings;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContractKit;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.sinks.dogstatsd.testing.StrictDogStatsdListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Pump} contract for the {@code dogstatsd} pump, through the real client into the strict
 * listener on a unix datagram socket: with {@code async_uds} and a long write timeout, a listener
 * that stops reading holds the client's sender, its queue fills and {@code write} blocks.
 */
@DisplayName("dogstatsd pump -> real java-dogstatsd-client -> strict unix datagram listener: Pump contract")
class DogStatsdPumpContractTest extends PumpContractKit {
  @TempDir Path dir;
  private StrictDogStatsdListener listener;

  @BeforeEach
  void listen() {
    listener = closeAfterEach(StrictDogStatsdListener.unixDatagram(dir.resolve("dsd.socket")));
  }

  @Override
  protected Pump newPump() {
    return new DogStatsdPumpFactory().create("contract", settings("{\"address\":\"" + listener.address()
        + "\",\"async_uds\":true,\"async_uds_write_timeout_seconds\":600}"));
  }

  @Override
  protected AutoCloseable stallBackend() throws InterruptedException {
    listener.pauseReading();
    return listener::resumeReading;
  }

  /** A metric line longer than a datagram can carry: the pump refuses it before the socket would. */
  @Override
  protected Rejection rejectPermanently(List<AnalyticsRecord> batch) {
    AnalyticsRecord tooLong = batch.get(2).copy().setPath("/" + "x".repeat(10_000));
    List<AnalyticsRecord> records = new ArrayList<>(batch);
    records.set(2, tooLong);
    return new Rejection(records, List.of(tooLong));
  }

  /** The listener goes away: its socket is closed and removed. */
  @Override
  protected AutoCloseable makeBackendUnavailable() {
    listener.close();
    return () -> { };
  }
}
