package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pumpd.core.config.ConfigException;
import io.pumpd.core.config.ConfigLoader;
import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.config.PumpTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ElasticsearchSettings} through the daemon's config loader: Tyk's JSON keys and env names. */
class ElasticsearchConfigLoadingTest {
  private final ConfigLoader loader =
      new ConfigLoader(PumpTypes.of(Map.of("elasticsearch", ElasticsearchSettings.class)));

  @Test
  void tykEnvNamesOverrideTheFile(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("pump.conf");
    Files.writeString(conf, """
        {"pumps": {"elasticsearch": {"type": "elasticsearch", "meta": {
          "index_name": "from_file", "version": "8", "bulk_config": {"bulk_actions": 10}}}}}
        """);
    Map<String, String> env = Map.ofEntries(
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_INDEXNAME", "from_env"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_ELASTICSEARCHURL", "http://a:9200,http://b:9200"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_ENABLESNIFFING", "true"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_EXTENDEDSTATISTICS", "true"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_VERSION", "7"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_FLUSHINTERVAL", "5"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_BULKCONFIG_WORKERS", "2"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_USERNAME", "elastic"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_PASSWORD", "changeme"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_MCPINDEXNAME", "mcp"),
        Map.entry("TYK_PMP_PUMPS_ELASTICSEARCH_META_INSTALLTEMPLATE", "false"));

    LoadedConfig c = loader.load(conf, env);

    ElasticsearchSettings s = c.pumps().get("elasticsearch").settings(ElasticsearchSettings.class);
    assertThat(s.indexName()).isEqualTo("from_env");
    assertThat(s.urls()).hasSize(2);
    assertThat(s.useSniffing()).isTrue();
    assertThat(s.extendedStats()).isTrue();
    assertThat(s.version()).isEqualTo("7");
    assertThat(s.bulkConfig().flushInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.bulkConfig().workers()).isEqualTo(2);
    assertThat(s.bulkConfig().bulkActions()).isEqualTo(10);
    assertThat(s.authBasicUsername()).isEqualTo("elastic");
    assertThat(s.authBasicPassword().reveal()).isEqualTo("changeme");
    assertThat(s.mcpIndexName()).isEqualTo("mcp");
    assertThat(s.installTemplate()).isFalse();
    assertThat(c.warnings()).noneMatch(w -> w.contains("meta"));
  }

  @Test
  void aTykVersionIsRefusedAtLoadWithTheReason(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("pump.conf");
    Files.writeString(conf, """
        {"pumps": {"es": {"type": "elasticsearch", "meta": {"version": "6"}}}}
        """);
    assertThatThrownBy(() -> loader.load(conf, Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(String.join("\n", ((ConfigException) e).lines()))
            .contains("version").contains("Elasticsearch 6 is not supported"));
  }
}
