package io.pumpd.app.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command takes: the config file and the debug switch (Tyk's flags). */
public final class SharedOptions {
  @Option(
      names = {"-c", "--conf"},
      defaultValue = "pump.conf",
      description = "Config file (default: ${DEFAULT-VALUE}); skipped when TYK_PMP_OMITCONFIGFILE=true.")
  Path conf;

  @Option(
      names = "--debug",
      description = "Log at debug level (overrides log_level and TYK_LOGLEVEL).")
  boolean debug;

  public Path conf() {
    return conf;
  }

  public boolean debug() {
    return debug;
  }
}
