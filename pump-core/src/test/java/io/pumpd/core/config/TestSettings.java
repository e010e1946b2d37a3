package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings classes that follow the sinks' convention (see the PREAMBLE) with Tyk's meta keys and
 * env names ({@code reference/tyk-pump.md} §5), so the loader is tested against the same shapes
 * as the real sinks without depending on them.
 */
final class TestSettings {
  private TestSettings() {}

  /** The types these tests register; {@code influx} (v1) is registered too, for the gotcha. */
  static final PumpTypes TYPES =
      PumpTypes.of(
          Map.of(
              "elasticsearch", EsLike.class,
              "influx2", Influx2Like.class,
              "influx", InfluxV1Like.class,
              "dogstatsd", DogStatsdLike.class,
              "csv", CsvLike.class,
              "stdout", StdoutLike.class,
              "dummy", DummyLike.class));

  static final class EsLike implements SelfValidating {
    @JsonProperty("index_name")
    private String indexName = "tyk_analytics";

    @JsonProperty("elasticsearch_url")
    private String elasticsearchUrl = "http://localhost:9200";

    @JsonProperty("use_sniffing")
    @EnvName("ENABLESNIFFING")
    private boolean useSniffing;

    @JsonProperty("document_type")
    private String documentType = "tyk_analytics";

    @JsonProperty("rolling_index")
    private boolean rollingIndex;

    @JsonProperty("extended_stats")
    @EnvName("EXTENDEDSTATISTICS")
    private boolean extendedStats;

    @JsonProperty("generate_id")
    private boolean generateId;

    @JsonProperty("decode_base64")
    private boolean decodeBase64;

    @JsonProperty("version")
    private String version = "7";

    @JsonProperty("disable_bulk")
    private boolean disableBulk;

    @JsonProperty("bulk_config")
    private BulkConfig bulkConfig = new BulkConfig();

    @JsonProperty("auth_api_key_id")
    private String authApiKeyId = "";

    @JsonProperty("auth_api_key")
    private Secret authApiKey = Secret.EMPTY;

    @JsonProperty("auth_basic_username")
    @EnvName("USERNAME")
    private String username = "";

    @JsonProperty("auth_basic_password")
    @EnvName("PASSWORD")
    private Secret password = Secret.EMPTY;

    @JsonProperty("use_ssl")
    private boolean useSsl;

    @JsonProperty("ssl_insecure_skip_verify")
    private boolean sslInsecureSkipVerify;

    @JsonProperty("ssl_cert_file")
    private String sslCertFile = "";

    @JsonProperty("ssl_key_file")
    private String sslKeyFile = "";

    @JsonProperty("ssl_ca_file")
    private String sslCaFile = "";

    @JsonProperty("mcp_index_name")
    private String mcpIndexName = "";

    String indexName() {
      return indexName;
    }

    String elasticsearchUrl() {
      return elasticsearchUrl;
    }

    boolean useSniffing() {
      return useSniffing;
    }

    boolean extendedStats() {
      return extendedStats;
    }

    String version() {
      return version;
    }

    BulkConfig bulkConfig() {
      return bulkConfig;
    }

    Secret authApiKey() {
      return authApiKey;
    }

    String username() {
      return username;
    }

    Secret password() {
      return password;
    }

    // a getter Jackson must not mistake for config when printing
    public String getComputedIndex() {
      return indexName + "-x";
    }

    @Override
    public void validate(ConfigProblems problems) {
      if (!Set.of("7", "8").contains(version)) {
        problems.add("version", "\"" + version + "\" is not supported; use \"7\" or \"8\"");
      }
      bulkConfig.validate(problems.under("bulk_config"));
    }
  }

  static final class BulkConfig implements SelfValidating {
    @JsonProperty("workers")
    private int workers;

    @JsonProperty("flush_interval")
    private int flushInterval;

    @JsonProperty("bulk_actions")
    private int bulkActions;

    @JsonProperty("bulk_size")
    private int bulkSize;

    int workers() {
      return workers;
    }

    int flushInterval() {
      return flushInterval;
    }

    @Override
    public void validate(ConfigProblems problems) {
      if (flushInterval < 0) {
        problems.add("flush_interval", "must be >= 0 seconds");
      }
    }
  }

  static final class Influx2Like implements SelfValidating {
    @JsonProperty("address")
    @EnvName("ADDR")
    private String address = "";

    @JsonProperty("token")
    private Secret token = Secret.EMPTY;

    @JsonProperty("organization")
    @EnvName("ORGNAME")
    private String organization = "";

    @JsonProperty("bucket")
    @EnvName("BUCKETNAME")
    private String bucket = "";

    @JsonProperty("create_missing_bucket")
    private boolean createMissingBucket;

    @JsonProperty("new_bucket_config")
    private NewBucketConfig newBucketConfig = new NewBucketConfig();

    @JsonProperty("fields")
    private List<String> fields = List.of();

    @JsonProperty("tags")
    private List<String> tags = List.of();

    @JsonProperty("flush")
    private boolean flush;

    String address() {
      return address;
    }

    Secret token() {
      return token;
    }

    String organization() {
      return organization;
    }

    String bucket() {
      return bucket;
    }

    List<String> fields() {
      return fields;
    }

    NewBucketConfig newBucketConfig() {
      return newBucketConfig;
    }

    /** A careless validator that quotes its secret: the loader must still keep it out. */
    @Override
    public void validate(ConfigProblems problems) {
      if (token.reveal().startsWith("bad")) {
        problems.add("token", "token " + token.reveal() + " was rejected");
      }
    }
  }

  static final class NewBucketConfig {
    @JsonProperty("description")
    private String description = "";

    @JsonProperty("retention_rules")
    private List<RetentionRule> retentionRules = List.of();

    String description() {
      return description;
    }

    List<RetentionRule> retentionRules() {
      return retentionRules;
    }
  }

  static final class RetentionRule {
    @JsonProperty("every_seconds")
    private long everySeconds;

    @JsonProperty("shard_group_duration_seconds")
    private long shardGroupDurationSeconds;

    @JsonProperty("type")
    private String type = "expire";

    long everySeconds() {
      return everySeconds;
    }
  }

  static final class InfluxV1Like {
    @JsonProperty("database_name")
    private String databaseName = "";

    @JsonProperty("address")
    private String address = "";
  }

  static final class DogStatsdLike {
    @JsonProperty("address")
    private String address = "";

    @JsonProperty("namespace")
    private String namespace = "default";

    @JsonProperty("sample_rate")
    private double sampleRate = 1;

    @JsonProperty("async_uds")
    private boolean asyncUds;

    @JsonProperty("async_uds_write_timeout_seconds")
    @EnvName("ASYNCUDSWRITETIMEOUT")
    private int asyncUdsWriteTimeoutSeconds = 1;

    @JsonProperty("buffered")
    private boolean buffered;

    @JsonProperty("buffered_max_messages")
    private int bufferedMaxMessages = 16;

    @JsonProperty("tags")
    private List<String> tags = List.of();

    double sampleRate() {
      return sampleRate;
    }

    int asyncUdsWriteTimeoutSeconds() {
      return asyncUdsWriteTimeoutSeconds;
    }

    List<String> tags() {
      return tags;
    }
  }

  static final class CsvLike {
    @JsonProperty("csv_dir")
    private String csvDir = "./";

    String csvDir() {
      return csvDir;
    }
  }

  static final class StdoutLike {
    @JsonProperty("format")
    private String format = "";

    @JsonProperty("log_field_name")
    private String logFieldName = "tyk-analytics-record";

    String logFieldName() {
      return logFieldName;
    }

    String format() {
      return format;
    }
  }

  static final class DummyLike {}
}
