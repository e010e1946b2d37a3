package io.pumpd.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The example configs in the top-level {@code config/} directory load without problems or
 * warnings, and {@code pump.full.conf} stays complete: it must show every key of the model (so a
 * new key without an example fails here). Pump meta is checked against the test settings classes,
 * which carry Tyk's meta keys ({@code reference/tyk-pump.md} §5).
 */
class ExampleConfigsTest {
  private static final Path CONFIG_DIR =
      Path.of(System.getProperty("user.dir")).getParent().resolve("config");

  private final ConfigLoader loader = new ConfigLoader(TestSettings.TYPES);

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
    assertThat(c.pumps().values()).extracting(LoadedPump::type).containsExactlyInAnyOrder(
        "elasticsearch", "dogstatsd", "influx2", "csv", "stdout", "dummy");
    assertThat(EffectiveConfigPrinter.render(c))
        .contains("\"token\" : \"****\"", "\"dummy\"")
        .doesNotContain("change-me");
  }

  @Test
  void fullConfigShowsEveryKey() throws Exception {
    JsonNode full = new ObjectMapper().readTree(Files.readString(CONFIG_DIR.resolve("pump.full.conf")));

    List<String> missing = new ArrayList<>();
    missingKeys(full, PumpConfiguration.class, "", missing);
    JsonNode pumps = full.get("pumps");
    missingKeys(pumps.get("elasticsearch"), PumpEntry.class, "pumps.elasticsearch", missing);
    for (String type : List.of("elasticsearch", "dogstatsd", "influx2", "csv", "stdout")) {
      Class<?> settings = TestSettings.TYPES.settingsType(type).orElseThrow();
      missingKeys(pumps.get(type).get("meta"), settings, "pumps." + type + ".meta", missing);
    }

    assertThat(missing).isEmpty();
  }

  private static void missingKeys(JsonNode node, Class<?> schema, String path, List<String> out) {
    for (ConfigSchema.FieldSpec f : ConfigSchema.fields(schema)) {
      String at = SchemaTree.join(path, f.json());
      if (!node.has(f.json())) {
        out.add(at);
      } else if (f.kind() == ConfigSchema.Kind.OBJECT) {
        missingKeys(node.get(f.json()), f.nested(), at, out);
      }
    }
  }
}
