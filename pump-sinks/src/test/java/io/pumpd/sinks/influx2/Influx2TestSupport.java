package io.pumpd.sinks.influx2;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.retry.Backoff;
import java.time.Duration;

/** Building influx2 pumps for tests. */
final class Influx2TestSupport {
  static final String TOKEN = "s3cr3t-token";
  static final String ORG = "acme";
  static final String BUCKET = "tyk";

  private Influx2TestSupport() {}

  static Influx2Settings settings(String json) {
    try {
      return new ObjectMapper().readValue(json, Influx2Settings.class);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  /** Settings for {@code url} with the test token, org and bucket, plus {@code extra} JSON members. */
  static Influx2Settings settings(String url, String extra) {
    return settings(
        "{\"address\":\"" + url + "\",\"token\":\"" + TOKEN + "\",\"organization\":\"" + ORG
            + "\",\"bucket\":\"" + BUCKET + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}");
  }

  /** An initialised pump with fast backoff (retries wait 1-5 ms unless the server says otherwise). */
  static Influx2Pump pump(Influx2Settings s, MeterRegistry registry, Duration timeout) throws Exception {
    Influx2Pump p =
        new Influx2Pump("influx", s, new Backoff(Duration.ofMillis(1), Duration.ofMillis(5)), () -> 0L);
    p.init(new PumpContext("influx", "influx2", timeout, registry));
    return p;
  }

  static Influx2Pump pump(Influx2Settings s) throws Exception {
    return pump(s, new SimpleMeterRegistry(), Duration.ofSeconds(10));
  }
}
