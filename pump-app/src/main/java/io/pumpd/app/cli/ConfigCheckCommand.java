package io.pumpd.app.cli;

import io.pumpd.app.PumpRegistry;
import io.pumpd.core.config.ConfigException;
import io.pumpd.core.config.EffectiveConfigPrinter;
import io.pumpd.core.config.LoadedConfig;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code pump config check}: validates the file plus {@code TYK_PMP_*} environment exactly as the
 * daemon would, prints the effective configuration as JSON with every secret masked (to review
 * drift between hosts), warnings on standard error. Exit 0 when valid, 2 with every problem
 * listed when not.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Validate the configuration and print the effective result (secrets masked).")
public final class ConfigCheckCommand implements Callable<Integer> {
  @Mixin SharedOptions options;

  @Override
  public Integer call() {
    Optional<LoadedConfig> loaded = ConfigLoading.load(PumpRegistry.load(), options.conf(),
        System.getenv(), System.err);
    if (loaded.isEmpty()) {
      return ConfigException.EXIT_STATUS;
    }
    loaded.get().warnings().forEach(w -> System.err.println("warning: " + w));
    System.out.println(EffectiveConfigPrinter.render(loaded.get()));
    return 0;
  }
}
