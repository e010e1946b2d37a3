package io.pumpd.app.cli;

import io.pumpd.app.PumpRegistry;
import io.pumpd.app.doctor.Doctor;
import io.pumpd.app.doctor.Finding;
import io.pumpd.core.config.ConfigException;
import io.pumpd.core.config.LoadedConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pump doctor}: the routine maintenance checks ({@link Doctor}) for an operator or a cron
 * job, as a table or {@code --json} on standard output.
 *
 * <p>Exit status: 0 everything OK; 1 something needs attention (a warning or a failure); 2 the
 * configuration is invalid.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = "Check Redis, the backlog, the sinks and the certificates; exit 1 when "
        + "something needs attention.")
public final class DoctorCommand implements Callable<Integer> {
  /** Exit status when a finding is not OK. */
  public static final int EXIT_ATTENTION = 1;

  @Mixin SharedOptions options;

  @Option(names = "--json", description = "Print the findings as JSON.")
  boolean json;

  @Option(names = "--cert-warn-days", defaultValue = "30",
      description = "Warn about certificates expiring within this many days (default: ${DEFAULT-VALUE}).")
  int certWarnDays;

  @Option(names = "--sink-wait", defaultValue = "10",
      description = "Seconds to wait for each sink to become ready (default: ${DEFAULT-VALUE}).")
  int sinkWaitSeconds;

  @Override
  public Integer call() {
    PumpRegistry registry = PumpRegistry.load();
    Optional<LoadedConfig> loaded = ConfigLoading.load(registry, options.conf(), System.getenv(),
        System.err);
    if (loaded.isEmpty()) {
      return ConfigException.EXIT_STATUS;
    }
    List<Finding> findings = new Doctor(registry, Duration.ofSeconds(sinkWaitSeconds),
        Duration.ofDays(certWarnDays)).examine(loaded.get());
    if (json) {
      Doctor.printJson(findings, System.out);
    } else {
      Doctor.printTable(findings, System.out);
    }
    return Doctor.worst(findings) == Finding.Status.OK ? 0 : EXIT_ATTENTION;
  }
}
