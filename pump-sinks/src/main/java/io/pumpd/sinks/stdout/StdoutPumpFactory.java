package io.pumpd.sinks.stdout;

import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpFactory;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    // Records are UTF-8 JSON whatever the host locale (System.out would use the platform charset).
    PrintStream out = new PrintStream(new BufferedOutputStream(
        new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);
    return new StdoutPump(settings, out, Clock.systemUTC());
  }
}
