package io.pumpd.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Warnings about settings that are deprecated, ignored or unsupported, and problems for Tyk
 * features this daemon does not have where running without them would be wrong ({@code kv://}
 * references). Runs on the bound configuration. Stateless apart from the report it writes to.
 */
final class ConfigAdvisories {
  private static final Set<String> RECORD_FIELDS =
      ConfigSchema.fields(AnalyticsRecord.class).stream()
          .map(ConfigSchema.FieldSpec::json)
          .collect(Collectors.toUnmodifiableSet());

  private final LoadReport report;

  ConfigAdvisories(LoadReport report) {
    this.report = report;
  }

  /**
   * @param config the bound configuration
   * @param fileTree the file's top-level object as read (before env), to tell file settings apart
   */
  void check(PumpConfiguration config, JsonNode fileTree) {
    if (config.rawRequestDecoded() || config.rawResponseDecoded()) {
      report.warn("raw_request_decoded/raw_response_decoded at the top level are deprecated and do"
          + " nothing (as in Tyk Pump); set them per pump");
    }
    if (config.omitDetailedRecording()) {
      report.warn("omit_detailed_recording at the top level applies to every pump in pumpd"
          + " (Tyk Pump has ignored it since 2022)");
    }
    if (config.enableHttpProfiler()) {
      report.warn("enable_http_profiler has no effect in pumpd (there is no Go pprof)");
    }
    if (!config.kv().isEmpty()) {
      report.warn("kv is not supported: secret stores are not read");
    }
    if (!config.uptimePumpConfig().isEmpty()) {
      report.warn("uptime_pump_config is ignored: pumpd has no Mongo or SQL uptime pump; uptime"
          + " data is drained only by configured pumps that accept uptime records");
    }
    JsonNode fileOmit = fileTree.get("omit_config_file");
    if (fileOmit != null && fileOmit.asBoolean(false)) {
      report.warn("omit_config_file in the config file has no effect (as in Tyk Pump); set"
          + " TYK_PMP_OMITCONFIGFILE=true instead");
    }
    storage(config.analyticsStorageConfig());
    config.pumps().forEach(this::pump);
  }

  /** Reports every string value that is a Tyk KV reference, which pumpd does not resolve. */
  void checkKvReferences(JsonNode node, String path) {
    if (node.isTextual()) {
      String v = node.asText();
      if (v.startsWith("kv://") || v.contains("$kv{")) {
        report.problem(path, "is a Tyk KV reference, which pumpd does not resolve; put the"
            + " value itself in the file or in the env var", null);
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        checkKvReferences(e.getValue(), SchemaTree.join(path, e.getKey()));
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkKvReferences(node.get(i), path + "[" + i + "]");
      }
    }
  }

  private void storage(StorageConfig s) {
    String at = "analytics_storage_config.";
    if (s.maxIdle() != 0) {
      report.warn(at + "optimisation_max_idle is not used (as in Tyk Pump)");
    }
    if (!s.redisKeyPrefix().isEmpty()) {
      report.warn(at + "redis_key_prefix is deprecated; use key_prefix");
    }
    if (s.usesDeprecatedTlsAliases()) {
      report.warn(at + "redis_use_ssl/redis_ssl_insecure_skip_verify are deprecated; use use_ssl/"
          + "ssl_insecure_skip_verify");
    }
    if (!s.hosts().isEmpty()) {
      report.warn(at + "hosts is deprecated; use addrs");
    }
    if (!s.host().isEmpty() && s.port() == 0 && s.addrs().isEmpty() && s.hosts().isEmpty()) {
      report.warn(at + "host is set but port is 0: Tyk Pump then ignores host and connects to"
          + " 127.0.0.1:6379; set port");
    }
    if (s.useSsl() && s.sslCertFile().isBlank() != s.sslKeyFile().isBlank()) {
      report.warn(at + (s.sslCertFile().isBlank() ? "ssl_key_file is set without ssl_cert_file"
          : "ssl_cert_file is set without ssl_key_file") + ": no client certificate is sent (as"
          + " in Tyk Pump); set both or neither");
    }
  }

  private void pump(String name, PumpEntry e) {
    if (!e.name().isEmpty()) {
      report.warn("pumps." + name + ".name is deprecated and ignored");
    }
    for (String field : e.ignoreFields()) {
      if (!RECORD_FIELDS.contains(field)) {
        report.warn("pumps." + name + ".ignore_fields: \"" + field
            + "\" is not a field of the analytics record and is ignored");
      }
    }
  }
}
