package io.pumpd.app.cli;

import io.pumpd.app.PumpRegistry;
import io.pumpd.core.config.ConfigException;
import io.pumpd.core.config.ConfigLoader;
import io.pumpd.core.config.LoadedConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Loads the configuration for a command and reports errors the same way for every command. */
final class ConfigLoading {
  private ConfigLoading() {}

  /**
   * Loads {@code conf} plus the environment.
   *
   * @return the config, or empty after printing every problem to {@code err} (exit with {@link
   *     ConfigException#EXIT_STATUS})
   */
  static Optional<LoadedConfig> load(
      PumpRegistry registry, Path conf, Map<String, String> env, PrintStream err) {
    try {
      return Optional.of(new ConfigLoader(registry).load(conf, env));
    } catch (ConfigException e) {
      err.println("pump: invalid configuration (" + e.problems().size() + " problem"
          + (e.problems().size() == 1 ? "" : "s") + "):");
      for (String line : e.lines()) {
        err.println("  " + line);
      }
      for (String w : e.warnings()) {
        err.println("  warning: " + w);
      }
      return Optional.empty();
    }
  }
}
