package io.pumpd.sinks.dummy;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpFactory;

/** Registers type {@code dummy}. */
public final class DummyPumpFactory implements PumpFactory<DummySettings> {
  @Override
  public String type() {
    return "dummy";
  }

  @Override
  public Class<DummySettings> settingsType() {
    return DummySettings.class;
  }

  @Override
  public Pump create(String name, DummySettings settings) {
    return new DummyPump();
  }
}
