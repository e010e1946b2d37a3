package io.pumpd.sinks.csv;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpFactory;

/** Registers type {@code csv}. */
public final class CsvPumpFactory implements PumpFactory<CsvSettings> {
  @Override
  public String type() {
    return "csv";
  }

  @Override
  public Class<CsvSettings> settingsType() {
    return CsvSettings.class;
  }

  @Override
  public Pump create(String name, CsvSettings settings) {
    return new CsvPump(settings);
  }
}
