package io.pumpd.app;

import io.pumpd.app.cli.ConfigCommand;
import io.pumpd.app.cli.DemoCommand;
import io.pumpd.app.cli.DoctorCommand;
import io.pumpd.app.cli.RunCommand;
import io.pumpd.app.cli.SharedOptions;
import io.pumpd.app.cli.VersionProvider;
import io.pumpd.app.lifecycle.LoggingSetup;
import io.pumpd.app.redis.RedisConfigException;
import io.pumpd.core.config.ConfigException;
import io.pumpd.core.text.ControlCharacters;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code pump}: without a subcommand it runs the daemon (like {@code tyk-pump -c pump.conf});
 * {@code pump demo} pushes sample gateway records into Redis and runs the daemon on them; {@code
 * pump config check} validates and prints the effective configuration; {@code pump doctor} runs
 * the routine maintenance checks.
 *
 * <p>Exit status: 0 clean stop; 1 failure at start or an incomplete shutdown; 2 configuration
 * error; 128+N when a second signal N forced the exit.
 */
@Command(
    name = "pump",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Moves Tyk Gateway analytics from Redis to Elasticsearch, DogStatsD, InfluxDB 2,"
        + " stdout and CSV. Reads Tyk Pump's pump.conf and TYK_PMP_* environment variables.",
    subcommands = {DemoCommand.class, ConfigCommand.class, DoctorCommand.class})
public final class Main implements Callable<Integer> {
  @Mixin SharedOptions options;

  @Override
  public Integer call() {
    return new RunCommand(options).run();
  }

  public static void main(String[] args) {
    LoggingSetup.routeJavaUtilLogging();
    int code = commandLine().execute(args);
    System.exit(code);
  }

  /** The configured command line (tests call {@code execute} on it). */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::handle);
  }

  /**
   * The configuration is checked when it is loaded, so a {@link RedisConfigException} arrives here
   * only when a TLS file changed after that check: it is reported as the configuration error it is
   * (exit status 2, no stack trace). Anything else is a bug and keeps picocli's report.
   */
  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed)
      throws Exception {
    if (e instanceof RedisConfigException redis) {
      PrintWriter err = cmd.getErr();
      err.println("pump: invalid configuration (" + redis.problems().size() + " problem"
          + (redis.problems().size() == 1 ? "" : "s") + "):");
      redis.problems().forEach(p -> err.println("  " + ControlCharacters.escape(
          "analytics_storage_config." + p.key() + ": " + p.message())));
      err.flush();
      return ConfigException.EXIT_STATUS;
    }
    throw e;
  }
}
