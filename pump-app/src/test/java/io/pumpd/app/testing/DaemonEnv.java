package io.pumpd.app.testing;

import io.pumpd.core.testing.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment-only configuration every process test starts from: no config file, a one-second
 * purge delay, the test's Redis, a free health port, uptime left alone, dead letters under the
 * test's directory. Tests add their pump's {@code TYK_PMP_PUMPS_*} variables to the returned map.
 */
public final class DaemonEnv {
  private DaemonEnv() {}

  /** A new mutable map with the common variables. */
  public static Map<String, String> base(RedisServerProcess redis, Path work) {
    Map<String, String> env = new HashMap<>();
    env.put("TYK_PMP_OMITCONFIGFILE", "true");
    env.put("TYK_PMP_PURGEDELAY", "1");
    env.put("TYK_PMP_ANALYTICSSTORAGECONFIG_HOST", redis.host());
    env.put("TYK_PMP_ANALYTICSSTORAGECONFIG_PORT", Integer.toString(redis.port()));
    try {
      env.put("TYK_PMP_HEALTHCHECKENDPOINTPORT", Integer.toString(RedisServerProcess.freePort()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    env.put("TYK_PMP_DONTPURGEUPTIMEDATA", "true");
    env.put("TYK_PMP_DEADLETTERDIR", work.resolve("dead-letter").toString());
    return env;
  }
}
