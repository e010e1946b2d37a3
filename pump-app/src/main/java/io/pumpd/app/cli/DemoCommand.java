package io.pumpd.app.cli;

import io.pumpd.app.PumpRegistry;
import io.pumpd.app.demo.DemoRecords;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.redis.RedisConnectionFactory;
import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.codec.MsgpackRecordEncoder;
import io.pumpd.core.concurrent.Threads;
import io.pumpd.core.config.ConfigException;
import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.config.StorageConfig;
import io.pumpd.core.record.AnalyticsRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pump demo}: pushes realistic gateway-format records (msgpack, exactly as a Tyk Gateway
 * writes them) into the Redis of the configuration, then runs the daemon on them so a newcomer can
 * watch records flow to the configured pumps. With {@code --rate} it keeps pushing in the
 * background while the daemon runs; {@code --push-only} only pushes.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Push sample gateway records into Redis, then run the daemon on them.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin SharedOptions options;

  @Option(names = "--records", defaultValue = "500", description = "Records to push first (default ${DEFAULT-VALUE}).")
  int records;

  @Option(names = "--rate", defaultValue = "0", description = "Records per second to keep pushing while the daemon runs (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--sharded", description = "Spread records over the ten _0.._9 keys (gateway enable_multiple_analytics_keys).")
  boolean sharded;

  @Option(names = "--org", defaultValue = "5e9d9544a1dcd60001d0ed20", description = "Org ID of the records.")
  String org;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed (same seed, same records).")
  long seed;

  @Option(names = "--push-only", description = "Push and exit; do not run the daemon.")
  boolean pushOnly;

  @Override
  public Integer call() throws Exception {
    Optional<LoadedConfig> loaded = ConfigLoading.load(PumpRegistry.load(), options.conf(),
        System.getenv(), System.err);
    if (loaded.isEmpty()) {
      return ConfigException.EXIT_STATUS;
    }
    StorageConfig storage = loaded.get().configuration().analyticsStorageConfig();
    AnalyticsKeys keys = AnalyticsKeys.withPrefix(storage.effectiveKeyPrefix());
    DemoRecords generator = new DemoRecords(seed, org);
    RedisLink link = RedisConnectionFactory.create(storage).open();
    try {
      push(link, keys, generator, records);
      System.err.println("demo: pushed " + records + " records to " + link.describe()
          + (sharded ? " (keys _0.._9)" : " (" + keys.analytics().get(0) + ")"));
      if (pushOnly) {
        return 0;
      }
      Thread feeder = rate > 0 ? startFeeder(link, keys, generator) : null;
      int exit = new RunCommand(options).run();
      if (feeder != null) {
        feeder.interrupt();
      }
      return exit;
    } finally {
      link.close(Duration.ofSeconds(2));
    }
  }

  private void push(RedisLink link, AnalyticsKeys keys, DemoRecords generator, int n)
      throws Exception {
    MsgpackRecordEncoder encoder = new MsgpackRecordEncoder();
    List<AnalyticsRecord> batch = generator.next(n, Instant.now());
    for (int i = 0; i < batch.size(); i++) {
      String key = sharded ? keys.analytics().get(1 + i % 10) : keys.analytics().get(0);
      link.commandsFor(key).rpush(key, encoder.encode(batch.get(i))).get(10, TimeUnit.SECONDS);
    }
  }

  private Thread startFeeder(RedisLink link, AnalyticsKeys keys, DemoRecords generator) {
    return Threads.start("demo-feeder", () -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          push(link, keys, generator, rate);
          Thread.sleep(1000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        System.err.println("demo: feeder stopped: " + e);
      }
    });
  }
}
