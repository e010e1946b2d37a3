package io.pumpd.sinks.dogstatsd;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpFactory;

/** Creates {@code dogstatsd} pumps ({@link DogStatsdPump}). Stateless. */
public final class DogStatsdPumpFactory implements PumpFactory<DogStatsdSettings> {

  @Override
  public String type() {
    return "dogstatsd";
  }

  @Override
  public Class<DogStatsdSettings> settingsType() {
    return DogStatsdSettings.class;
  }

  @Override
  public Pump create(String name, DogStatsdSettings settings) {
    return new DogStatsdPump(name, settings);
  }
}
