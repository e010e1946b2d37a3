package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@code elasticsearch} pump built the way the daemon builds it (JSON meta bound onto the
 * settings, validated, created by the factory, initialized with a context), plus test helpers.
 */
final class PumpUnderTest implements AutoCloseable {
  final String name;
  final ElasticsearchSettings settings;
  final MeterRegistry registry = new SimpleMeterRegistry();
  final Pump pump;

  PumpUnderTest(String name, String metaJson) throws Exception {
    this.name = name;
    this.settings = settings(metaJson);
    this.pump = new ElasticsearchPumpFactory().create(name, settings);
    pump.init(new PumpContext(name, "elasticsearch", Duration.ZERO, registry));
  }

  /** {@code metaJson} bound onto the settings and validated, as the daemon does. */
  static ElasticsearchSettings settings(String metaJson) throws Exception {
    ElasticsearchSettings settings = new ObjectMapper().readValue(metaJson, ElasticsearchSettings.class);
    ConfigProblems problems = new ConfigProblems();
    settings.validate(problems);
    assertThat(problems.all()).as("settings problems").isEmpty();
    return settings;
  }

  /** Writes and waits (up to a minute) for the batch's fate. */
  WriteResult writeAndWait(List<AnalyticsRecord> records) throws Exception {
    return pump.write(records, Deadline.after(Duration.ofSeconds(60))).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  double counter(String meter) {
    var c = registry.find(meter).tag("pump", name).tag("type", "elasticsearch").counter();
    return c == null ? Double.NaN : c.count();
  }

  double gauge(String meter) {
    var g = registry.find(meter).tag("pump", name).gauge();
    return g == null ? Double.NaN : g.value();
  }

  void flush(Duration d) throws PumpException {
    pump.flush(Deadline.after(d));
  }

  @Override
  public void close() {
    pump.close();
  }
}
