package io.pumpd.sinks.influx2;

import static io.pumpd.sinks.influx2.Influx2TestSupport.BUCKET;
import static io.pumpd.sinks.influx2.Influx2TestSupport.ORG;
import static io.pumpd.sinks.influx2.Influx2TestSupport.TOKEN;
import static io.pumpd.sinks.influx2.Influx2TestSupport.settings;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContractKit;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer.Reply;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/** The {@link Pump} contract for the {@code influx2} pump against the strict InfluxDB 2 API stand-in. */
@DisplayName("influx2 pump -> strict recording InfluxDB 2 API stand-in: Pump contract")
class Influx2PumpContractTest extends PumpContractKit {
  private RecordingInfluxServer server;

  @BeforeEach
  void startServer() {
    server = closeAfterEach(RecordingInfluxServer.builder(TOKEN, ORG).bucket(BUCKET).start());
  }

  @Override
  protected Pump newPump() {
    return new Influx2PumpFactory().create("contract", settings(server.url(), "\"fields\":[\"api_key\",\"request_time\"]"));
  }

  /** Writes get no answer until released (the pump's own HTTP timeout is the context's 10 s). */
  @Override
  protected AutoCloseable stallBackend() {
    CountDownLatch release = new CountDownLatch(1);
    server.onWrite(req -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    });
    return release::countDown;
  }

  /** 422 (field type conflict) for any write holding the rejected record's point. */
  @Override
  protected Rejection rejectPermanently(List<AnalyticsRecord> batch) {
    AnalyticsRecord bad = batch.get(7);
    server.onWrite(req -> req.points().stream().anyMatch(p -> bad.getApiKey().equals(p.fields().get("api_key")))
        ? Reply.error(422, "unprocessable entity", "partial write: field type conflict")
        : null);
    return new Rejection(batch, List.of(bad));
  }

  /** The server goes away: connections are refused. */
  @Override
  protected AutoCloseable makeBackendUnavailable() {
    server.close();
    return () -> { };
  }
}
