package io.pumpd.app.config;

import static io.pumpd.app.config.ConfigFixtures.loader;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.config.ConfigLoader;
import io.pumpd.core.config.EffectiveConfigPrinter;
import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.config.LoadedPump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The example configs in the top-level {@code config/} directory load without problems or
 * warnings, and {@code pump.full.conf} stays complete: it must show every key of the model (so a
 * new key without an example fails here). The model is the effective configuration the daemon
 * prints ({@code pump config check}): the top-level settings, a pump entry's options and the meta
 * of each pump type, as the sinks' own settings classes bind it.
 */
class ExampleConfigsTest {
  private static final Path CONFIG_DIR =
      Path.of(System.getProperty("user.dir")).getParent().resolve("config");

  private final ConfigLoader loader = loader();

  @Test
  void minimalConfigLoadsCleanly() throws Exception {
    LoadedConfig c = loader.load(CONFIG_DIR.resolve("pump.minimal.conf"), Map.of());

    assertThat(c.warnings()).isEmpty();
    assertThat(c.pumps().keySet()).containsExactly("stdout");
    assertThat(c.configuration().analyticsStorageConfig().host()).isEqualTo("localhost");
    assertThat(c.configuration().analyticsStorageConfig().port()).isEqualTo(6379);
  }

  @Test
  void fullConfigLoadsCleanlyWithEveryPumpType() throws Exception {
    LoadedConfig c = loader.load(CONFIG_DIR.resolve("pump.full.conf"), Map.of());

    assertThat(c.warnings()).isEmpty();
    assertThat(c.pumps().values()).extracting(LoadedPump::type)
        .containsExactlyInAnyOrderElementsOf(ConfigFixtures.REGISTRY.types());
    assertThat(EffectiveConfigPrinter.render(c))
        .contains("\"token\" : \"****\"", "\"dummy\"")
        .doesNotContain("change-me");
  }

  @Test
  void fullConfigShowsEveryKey() throws Exception {
    Path fullConf = CONFIG_DIR.resolve("pump.full.conf");
    JsonNode file = new ObjectMapper().readTree(Files.readString(fullConf));
    ObjectNode model = EffectiveConfigPrinter.toTree(loader.load(fullConf, Map.of()));

    List<String> missing = new ArrayList<>();
    ObjectNode topLevel = model.deepCopy().without("pumps");
    missingKeys(topLevel, file, "", missing);
    ObjectNode esEntry = ((ObjectNode) model.at("/pumps/elasticsearch")).deepCopy().without("meta");
    missingKeys(esEntry, file.at("/pumps/elasticsearch"), "pumps.elasticsearch", missing);
    for (String type : ConfigFixtures.REGISTRY.types()) {
      ObjectNode meta = ((ObjectNode) model.at("/pumps/" + type + "/meta")).deepCopy()
          .without("meta_env_prefix");
      missingKeys(meta, file.at("/pumps/" + type + "/meta"), "pumps." + type + ".meta", missing);
    }

    assertThat(missing).isEmpty();
  }

  /** Adds to {@code out} each key of {@code model} (nested objects included) absent in {@code file}. */
  private static void missingKeys(JsonNode model, JsonNode file, String path, List<String> out) {
    for (Map.Entry<String, JsonNode> e : model.properties()) {
      String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      if (!file.has(e.getKey())) {
        out.add(at);
      } else if (e.getValue().isObject()) {
        missingKeys(e.getValue(), file.get(e.getKey()), at, out);
      }
    }
  }
}
