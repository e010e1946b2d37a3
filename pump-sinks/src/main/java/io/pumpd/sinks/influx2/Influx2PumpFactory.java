package io.pumpd.sinks.influx2;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpFactory;

/** Creates {@code influx2} pumps ({@link Influx2Pump}). Stateless. */
public final class Influx2PumpFactory implements PumpFactory<Influx2Settings> {

  @Override
  public String type() {
    return "influx2";
  }

  @Override
  public Class<Influx2Settings> settingsType() {
    return Influx2Settings.class;
  }

  @Override
  public Pump create(String name, Influx2Settings settings) {
    return new Influx2Pump(name, settings);
  }
}
