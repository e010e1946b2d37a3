package io.pumpd.sinks.elasticsearch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.pumpd.core.config.CertificateFiles;
import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.EnvName;
import io.pumpd.core.config.Secret;
import io.pumpd.core.config.SelfValidating;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The {@code meta} of an {@code elasticsearch} pump: Tyk Pump's keys, defaults and env names
 * ({@code reference/tyk-pump.md} §5.1), plus {@code install_template} (ours). Env names are {@code
 * TYK_PMP_PUMPS_<NAME>_META_<SEGMENT>} where the segment is the JSON key without underscores or the
 * {@link EnvName}.
 *
 * <p>Differences from Tyk, on purpose:
 *
 * <ul>
 *   <li>{@code version}: {@code "7"} or {@code "8"}, default {@code "8"}; {@code "3"}, {@code "5"},
 *       {@code "6"} are rejected (Tyk's default {@code "3"} included).
 *   <li>{@code bulk_config.flush_interval}: {@code 0} (unset) means {@link #DEFAULT_FLUSH_INTERVAL}
 *       instead of "never", so records of a quiet gateway show up within seconds.
 * </ul>
 *
 * Mutable only through JSON binding; not thread-safe while binding, read-only afterwards.
 */
@JsonIgnoreProperties({"meta_env_prefix"})
public final class ElasticsearchSettings implements SelfValidating, CertificateFiles {

  /** Periodic flush when {@code bulk_config.flush_interval} is 0 or unset. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);

  /** The ingester's defaults for {@code bulk_actions} / {@code bulk_size} when 0 (as olivere's). */
  public static final int DEFAULT_BULK_ACTIONS = 1000;

  public static final long DEFAULT_BULK_SIZE = 5L << 20;

  @JsonProperty("index_name")
  private String indexName = "tyk_analytics";

  @JsonProperty("elasticsearch_url")
  private String elasticsearchUrl = "http://localhost:9200";

  @JsonProperty("use_sniffing")
  @EnvName("ENABLESNIFFING")
  private boolean useSniffing;

  /** Accepted for compatibility; mapping types do not exist in ES 7/8. */
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
  private String version = "";

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
  private String authBasicUsername = "";

  @JsonProperty("auth_basic_password")
  @EnvName("PASSWORD")
  private Secret authBasicPassword = Secret.EMPTY;

  @JsonProperty("use_ssl")
  private boolean useSsl;

  @JsonProperty("ssl_insecure_skip_verify")
  private boolean sslInsecureSkipVerify;

  @JsonProperty("ssl_ca_file")
  private String sslCaFile = "";

  @JsonProperty("ssl_cert_file")
  private String sslCertFile = "";

  @JsonProperty("ssl_key_file")
  private String sslKeyFile = "";

  @JsonProperty("mcp_index_name")
  private String mcpIndexName = "";

  /** Ours: put an index template for the pump's indices before the first write. */
  @JsonProperty("install_template")
  private boolean installTemplate = true;

  /** {@code bulk_config}: when the bulk ingester sends a request. Any criterion triggers one. */
  public static final class BulkConfig {
    /** Concurrent bulk requests; 0 means 1. */
    @JsonProperty("workers")
    private int workers;

    /** Seconds; 0 means {@link #DEFAULT_FLUSH_INTERVAL}. */
    @JsonProperty("flush_interval")
    private int flushInterval;

    /** Documents per request; 0 means 1000, -1 disables the criterion. */
    @JsonProperty("bulk_actions")
    private int bulkActions;

    /** Bytes per request; 0 means 5 MiB, -1 disables the criterion. */
    @JsonProperty("bulk_size")
    private long bulkSize;

    public int workers() {
      return workers <= 0 ? 1 : workers;
    }

    public Duration flushInterval() {
      return flushInterval <= 0 ? DEFAULT_FLUSH_INTERVAL : Duration.ofSeconds(flushInterval);
    }

    /** Documents per request, or -1 for no limit. */
    public int bulkActions() {
      return bulkActions == 0 ? DEFAULT_BULK_ACTIONS : bulkActions;
    }

    /** Bytes per request, or -1 for no limit. */
    public long bulkSize() {
      return bulkSize == 0 ? DEFAULT_BULK_SIZE : bulkSize;
    }

    void validate(ConfigProblems problems) {
      if (workers < 0) {
        problems.add("bulk_config.workers", "must be 0 (default 1) or more, got " + workers);
      }
      if (flushInterval < 0) {
        problems.add(
            "bulk_config.flush_interval",
            "must be 0 (default " + DEFAULT_FLUSH_INTERVAL.toSeconds() + " s) or a number of seconds, got "
                + flushInterval);
      }
      if (bulkActions < -1) {
        problems.add("bulk_config.bulk_actions", "must be -1 (off), 0 (default 1000) or more, got " + bulkActions);
      }
      if (bulkSize < -1) {
        problems.add("bulk_config.bulk_size", "must be -1 (off), 0 (default 5 MiB) or more, got " + bulkSize);
      }
    }
  }

  public String indexName() {
    return indexName == null || indexName.isEmpty() ? "tyk_analytics" : indexName;
  }

  /** The raw comma-separated URL list. */
  public String elasticsearchUrl() {
    return elasticsearchUrl == null || elasticsearchUrl.isBlank() ? "http://localhost:9200" : elasticsearchUrl;
  }

  /** The URLs, trimmed, empty entries dropped. */
  public List<URI> urls() {
    List<URI> out = new ArrayList<>();
    for (String part : elasticsearchUrl().split(",")) {
      String s = part.trim();
      if (!s.isEmpty()) {
        out.add(URI.create(s));
      }
    }
    return out;
  }

  public boolean useSniffing() {
    return useSniffing;
  }

  public String documentType() {
    return documentType;
  }

  public boolean rollingIndex() {
    return rollingIndex;
  }

  public boolean extendedStats() {
    return extendedStats;
  }

  public boolean generateId() {
    return generateId;
  }

  public boolean decodeBase64() {
    return decodeBase64;
  }

  /** {@code "7"} or {@code "8"}; unset means {@code "8"}. */
  public String version() {
    return versionUnset() ? "8" : version.trim();
  }

  /** True when {@code version} was not configured (the pump logs the default it picked). */
  public boolean versionUnset() {
    return version == null || version.isBlank();
  }

  public boolean disableBulk() {
    return disableBulk;
  }

  public BulkConfig bulkConfig() {
    return bulkConfig == null ? new BulkConfig() : bulkConfig;
  }

  public String authApiKeyId() {
    return authApiKeyId == null ? "" : authApiKeyId;
  }

  public Secret authApiKey() {
    return authApiKey == null ? Secret.EMPTY : authApiKey;
  }

  public String authBasicUsername() {
    return authBasicUsername == null ? "" : authBasicUsername;
  }

  public Secret authBasicPassword() {
    return authBasicPassword == null ? Secret.EMPTY : authBasicPassword;
  }

  public boolean useSsl() {
    return useSsl;
  }

  public boolean sslInsecureSkipVerify() {
    return sslInsecureSkipVerify;
  }

  public String sslCaFile() {
    return sslCaFile == null ? "" : sslCaFile;
  }

  public String sslCertFile() {
    return sslCertFile == null ? "" : sslCertFile;
  }

  public String sslKeyFile() {
    return sslKeyFile == null ? "" : sslKeyFile;
  }

  public String mcpIndexName() {
    return mcpIndexName == null ? "" : mcpIndexName;
  }

  public boolean installTemplate() {
    return installTemplate;
  }

  @Override
  public Map<String, String> certificateFiles() {
    return CertificateFiles.caAndCert(sslCaFile, sslCertFile);
  }

  /**
   * Checks every value, and with {@code use_ssl} reads the TLS files as the pump will ({@link
   * TlsContexts#files}): a missing or unusable file is a configuration problem found by {@code
   * pump config check} and at load (exit status 2), not a pump skipped at start.
   */
  @Override
  public void validate(ConfigProblems problems) {
    validateVersion(problems);
    validateIndexName("index_name", indexName(), problems);
    if (!mcpIndexName().isEmpty()) {
      validateIndexName("mcp_index_name", mcpIndexName(), problems);
    }
    validateUrls(problems);
    bulkConfig().validate(problems);
    if (authApiKeyId().isEmpty() != authApiKey().isEmpty()) {
      problems.add(
          authApiKeyId().isEmpty() ? "auth_api_key_id" : "auth_api_key",
          "auth_api_key_id and auth_api_key go together: set both for API-key authentication, or neither");
    }
    if (sslCertFile().isEmpty() != sslKeyFile().isEmpty()) {
      problems.add(
          sslCertFile().isEmpty() ? "ssl_cert_file" : "ssl_key_file",
          "ssl_cert_file and ssl_key_file go together: set both to present a client certificate, or neither");
    }
    if (useSsl()) {
      TlsContexts.files(this, problems);
    }
  }

  private void validateVersion(ConfigProblems problems) {
    String v = version();
    switch (v) {
      case "7", "8" -> {}
      case "3", "5", "6" ->
          problems.add(
              "version",
              "Elasticsearch "
                  + v
                  + " is not supported: pumpd talks to Elasticsearch 7.x and 8.x only (the 8.x Java client;"
                  + " mapping types and the 3/5/6 APIs are gone). Set \"7\" or \"8\" and point it at a 7.x or"
                  + " 8.x cluster (Tyk's default \"3\" does not apply here)");
      default -> problems.add("version", "must be \"7\" or \"8\", got \"" + v + "\"");
    }
  }

  private static void validateIndexName(String key, String name, ConfigProblems problems) {
    if (!name.equals(name.toLowerCase(Locale.ROOT))) {
      problems.add(key, "Elasticsearch index names must be lower case, got \"" + name + "\"");
    }
    if (name.startsWith("-") || name.startsWith("_") || name.startsWith("+")) {
      problems.add(key, "an index name must not start with '-', '_' or '+', got \"" + name + "\"");
    }
    for (char c : new char[] {'\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#', ':'}) {
      if (name.indexOf(c) >= 0) {
        problems.add(key, "an index name must not contain '" + c + "', got \"" + name + "\"");
        return;
      }
    }
  }

  private void validateUrls(ConfigProblems problems) {
    List<URI> urls;
    try {
      urls = urls();
    } catch (IllegalArgumentException e) {
      problems.add("elasticsearch_url", "not a URL list: " + e.getMessage());
      return;
    }
    if (urls.isEmpty()) {
      problems.add("elasticsearch_url", "no URL given");
    }
    for (URI u : urls) {
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        problems.add(
            "elasticsearch_url",
            "each URL needs http:// or https:// and a host, got \"" + ElasticsearchUrls.masked(u) + "\"");
      } else if (u.getHost() == null) {
        problems.add("elasticsearch_url", "no host in \"" + ElasticsearchUrls.masked(u) + "\"");
      }
    }
  }
}
