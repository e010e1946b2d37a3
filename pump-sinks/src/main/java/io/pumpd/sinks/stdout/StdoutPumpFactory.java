package io.pumpd.sinks.stdout;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpFactory;
import java.time.Clock;

/** Registers type {@code stdout}. */
public final class StdoutPumpFactory implements PumpFactory<StdoutSettings> {
  @Override
  public String type() {
    return "stdout";
  }

  @Override
  public Class<StdoutSettings> settingsType() {
    return StdoutSettings.class;
  }

  @Override
  public Pump create(String name, StdoutSettings settings) {
    return new StdoutPump(settings, System.out, Clock.systemUTC());
  }
}
