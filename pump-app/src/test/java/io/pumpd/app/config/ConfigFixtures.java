package io.pumpd.app.config;

import io.pumpd.app.PumpRegistry;
import io.pumpd.core.config.ConfigLoader;
import io.pumpd.core.config.PumpTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the config tests share: the daemon's own pump types (the sinks' real settings classes, found
 * as the daemon finds them), env maps written as {@code K=V;K2=V2}, and config files in a temp
 * directory.
 */
final class ConfigFixtures {
  /** The pump types the daemon runs with. */
  static final PumpRegistry REGISTRY = PumpRegistry.load();

  /** Env of an influx2 pump named INFLUX2 that validates (its address, organization and bucket). */
  static final String INFLUX2_REQUIRED = "TYK_PMP_PUMPS_INFLUX2_META_ADDR=http://influx:8086;"
      + "TYK_PMP_PUMPS_INFLUX2_META_ORGNAME=org;TYK_PMP_PUMPS_INFLUX2_META_BUCKETNAME=bucket";

  private ConfigFixtures() {}

  /** A loader over the daemon's pump types. */
  static ConfigLoader loader() {
    return new ConfigLoader(REGISTRY);
  }

  /** The daemon's pump types plus {@code type}, bound to {@code settings} (a test's own sink). */
  static PumpTypes typesWith(String type, Class<?> settings) {
    Map<String, Class<?>> all = new HashMap<>();
    REGISTRY.types().forEach(t -> all.put(t, REGISTRY.settingsType(t).orElseThrow()));
    all.put(type, settings);
    return PumpTypes.of(all);
  }

  /** {@code K=V;K2=V2} as an env map, in order (a later value of a name replaces the earlier). */
  static Map<String, String> env(String vars) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : vars.split(";")) {
      int eq = kv.indexOf('=');
      env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return env;
  }

  /** Writes {@code json} to {@code dir/pump.conf}. */
  static Path write(Path dir, String json) throws IOException {
    Path file = dir.resolve("pump.conf");
    Files.writeString(file, json);
    return file;
  }
}
