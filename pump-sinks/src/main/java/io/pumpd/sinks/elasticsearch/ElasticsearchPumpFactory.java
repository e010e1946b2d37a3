package io.pumpd.sinks.elasticsearch;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpFactory;

/** Creates {@code elasticsearch} pumps ({@link ElasticsearchPump}). Stateless. */
public final class ElasticsearchPumpFactory implements PumpFactory<ElasticsearchSettings> {

  @Override
  public String type() {
    return "elasticsearch";
  }

  @Override
  public Class<ElasticsearchSettings> settingsType() {
    return ElasticsearchSettings.class;
  }

  @Override
  public Pump create(String name, ElasticsearchSettings settings) {
    return new ElasticsearchPump(name, settings);
  }
}
