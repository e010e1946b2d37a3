package io.pumpd.sinks.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.EnvName;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElasticsearchSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static ElasticsearchSettings bind(String json) throws Exception {
    return JSON.readValue(json, ElasticsearchSettings.class);
  }

  static ConfigProblems problems(String json) throws Exception {
    ConfigProblems p = new ConfigProblems();
    bind(json).validate(p);
    return p;
  }

  @Test
  void defaults() throws Exception {
    ElasticsearchSettings s = bind("{}");
    assertThat(s.indexName()).isEqualTo("tyk_analytics");
    assertThat(s.elasticsearchUrl()).isEqualTo("http://localhost:9200");
    assertThat(s.documentType()).isEqualTo("tyk_analytics");
    assertThat(s.version()).isEqualTo("8");
    assertThat(s.versionUnset()).isTrue();
    assertThat(s.bulkConfig().workers()).isEqualTo(1);
    assertThat(s.bulkConfig().flushInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.bulkConfig().bulkActions()).isEqualTo(1000);
    assertThat(s.bulkConfig().bulkSize()).isEqualTo(5L << 20);
    assertThat(s.installTemplate()).isTrue();
    assertThat(s.mcpIndexName()).isEmpty();
    assertThat(problems("{}").isEmpty()).isTrue();
  }

  @Test
  void bindsEveryTykKey() throws Exception {
    ElasticsearchSettings s =
        bind(
            """
            {"index_name":"idx","elasticsearch_url":"https://a:9201, https://b:9202","use_sniffing":true,
             "document_type":"doc","rolling_index":true,"extended_stats":true,"generate_id":true,
             "decode_base64":true,"version":"7","disable_bulk":true,
             "bulk_config":{"workers":3,"flush_interval":7,"bulk_actions":-1,"bulk_size":2048},
             "auth_api_key_id":"kid","auth_api_key":"k","auth_basic_username":"u","auth_basic_password":"p",
             "use_ssl":true,"ssl_insecure_skip_verify":true,"ssl_ca_file":"/ca.pem","ssl_cert_file":"/c.pem",
             "ssl_key_file":"/k.pem","mcp_index_name":"mcp","install_template":false,
             "meta_env_prefix":"TYK_PMP_PUMPS_ES_META"}
            """);
    assertThat(s.indexName()).isEqualTo("idx");
    assertThat(s.urls()).extracting(Object::toString).containsExactly("https://a:9201", "https://b:9202");
    assertThat(s.useSniffing()).isTrue();
    assertThat(s.documentType()).isEqualTo("doc");
    assertThat(s.rollingIndex()).isTrue();
    assertThat(s.extendedStats()).isTrue();
    assertThat(s.generateId()).isTrue();
    assertThat(s.decodeBase64()).isTrue();
    assertThat(s.version()).isEqualTo("7");
    assertThat(s.disableBulk()).isTrue();
    assertThat(s.bulkConfig().workers()).isEqualTo(3);
    assertThat(s.bulkConfig().flushInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(s.bulkConfig().bulkActions()).isEqualTo(-1);
    assertThat(s.bulkConfig().bulkSize()).isEqualTo(2048);
    assertThat(s.authApiKeyId()).isEqualTo("kid");
    assertThat(s.authApiKey().reveal()).isEqualTo("k");
    assertThat(s.authApiKey().toString()).isEqualTo("****");
    assertThat(s.authBasicUsername()).isEqualTo("u");
    assertThat(s.authBasicPassword().reveal()).isEqualTo("p");
    assertThat(s.useSsl()).isTrue();
    assertThat(s.sslInsecureSkipVerify()).isTrue();
    assertThat(s.sslCaFile()).isEqualTo("/ca.pem");
    assertThat(s.sslCertFile()).isEqualTo("/c.pem");
    assertThat(s.sslKeyFile()).isEqualTo("/k.pem");
    assertThat(s.mcpIndexName()).isEqualTo("mcp");
    assertThat(s.installTemplate()).isFalse();
  }

  @Test
  void envValuesAsStringsBind() throws Exception {
    ElasticsearchSettings s = bind("{\"version\":7,\"rolling_index\":\"true\",\"bulk_config\":{\"workers\":\"2\"}}");
    assertThat(s.version()).isEqualTo("7");
    assertThat(s.rollingIndex()).isTrue();
    assertThat(s.bulkConfig().workers()).isEqualTo(2);
  }

  /** Tyk derives env names from its Go field names (reference/tyk-pump.md §5.1). */
  @Test
  void envNamesAreTyks() {
    Map<String, String> expected = new TreeMap<>(Map.ofEntries(
        Map.entry("index_name", "INDEXNAME"), Map.entry("elasticsearch_url", "ELASTICSEARCHURL"),
        Map.entry("use_sniffing", "ENABLESNIFFING"), Map.entry("document_type", "DOCUMENTTYPE"),
        Map.entry("rolling_index", "ROLLINGINDEX"), Map.entry("extended_stats", "EXTENDEDSTATISTICS"),
        Map.entry("generate_id", "GENERATEID"), Map.entry("decode_base64", "DECODEBASE64"),
        Map.entry("version", "VERSION"), Map.entry("disable_bulk", "DISABLEBULK"),
        Map.entry("bulk_config", "BULKCONFIG"), Map.entry("auth_api_key_id", "AUTHAPIKEYID"),
        Map.entry("auth_api_key", "AUTHAPIKEY"), Map.entry("auth_basic_username", "USERNAME"),
        Map.entry("auth_basic_password", "PASSWORD"), Map.entry("use_ssl", "USESSL"),
        Map.entry("ssl_insecure_skip_verify", "SSLINSECURESKIPVERIFY"), Map.entry("ssl_ca_file", "SSLCAFILE"),
        Map.entry("ssl_cert_file", "SSLCERTFILE"), Map.entry("ssl_key_file", "SSLKEYFILE"),
        Map.entry("mcp_index_name", "MCPINDEXNAME"), Map.entry("install_template", "INSTALLTEMPLATE")));
    assertThat(envNames(ElasticsearchSettings.class)).isEqualTo(expected);
    assertThat(envNames(ElasticsearchSettings.BulkConfig.class)).isEqualTo(new TreeMap<>(Map.of(
        "workers", "WORKERS", "flush_interval", "FLUSHINTERVAL", "bulk_actions", "BULKACTIONS", "bulk_size", "BULKSIZE")));
  }

  private static Map<String, String> envNames(Class<?> type) {
    Map<String, String> out = new TreeMap<>();
    for (Field f : type.getDeclaredFields()) {
      JsonProperty p = f.getAnnotation(JsonProperty.class);
      if (p != null) {
        EnvName e = f.getAnnotation(EnvName.class);
        out.put(p.value(), e != null ? e.value() : p.value().replace("_", "").toUpperCase(Locale.ROOT));
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"3", "5", "6"})
  void oldVersionsAreRejectedWithAReason(String v) throws Exception {
    ConfigProblems p = problems("{\"version\":\"" + v + "\"}");
    assertThat(p.all()).singleElement().satisfies(pr -> {
      assertThat(pr.key()).isEqualTo("version");
      assertThat(pr.message()).contains("Elasticsearch " + v + " is not supported").contains("7.x and 8.x");
    });
  }

  @Test
  void reportsEveryProblemAtOnce() throws Exception {
    ConfigProblems p = problems(
        """
        {"version":"9","index_name":"Tyk","elasticsearch_url":"localhost:9200","auth_api_key":"k",
         "ssl_cert_file":"/c.pem","bulk_config":{"workers":-1,"flush_interval":-2,"bulk_actions":-3,"bulk_size":-4}}
        """);
    assertThat(p.all()).extracting(ConfigProblems.Problem::key).containsExactlyInAnyOrder(
        "version", "index_name", "elasticsearch_url", "auth_api_key_id", "ssl_key_file",
        "bulk_config.workers", "bulk_config.flush_interval", "bulk_config.bulk_actions", "bulk_config.bulk_size");
  }

  @Test
  void credentialsInUrlsAreMaskedInProblems() throws Exception {
    ConfigProblems p = problems("{\"elasticsearch_url\":\"ftp://user:secret@host:9200\"}");
    assertThat(p.all()).singleElement().satisfies(pr -> assertThat(pr.message()).doesNotContain("secret").contains("***:***@"));
  }
}
