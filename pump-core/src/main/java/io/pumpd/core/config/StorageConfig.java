package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code analytics_storage_config}: how to reach the Redis the gateway writes to ({@code
 * reference/tyk-pump.md} §2.5). Env: {@code TYK_PMP_ANALYTICSSTORAGECONFIG_<FIELD>}, then the
 * deprecated {@code TYK_PMP_REDIS_<FIELD>}, then {@code TYK_PMP_TEMPORAL_STORAGE_<FIELD>} (last
 * wins).
 */
public final class StorageConfig {
  /** Deprecated; must be empty or {@code redis}. */
  @JsonProperty("type")
  private String type = "";

  @JsonProperty("host")
  private String host = "";

  @JsonProperty("port")
  private int port;

  /** Deprecated host to port map; used when {@code addrs} is empty. */
  @JsonProperty("hosts")
  private Map<String, String> hosts = Map.of();

  @JsonProperty("addrs")
  private List<String> addrs = List.of();

  @JsonProperty("master_name")
  private String masterName = "";

  @JsonProperty("sentinel_password")
  private Secret sentinelPassword = Secret.EMPTY;

  @JsonProperty("username")
  private String username = "";

  @JsonProperty("password")
  private Secret password = Secret.EMPTY;

  @JsonProperty("database")
  private int database;

  /** Seconds: dial, read and write timeout. */
  @JsonProperty("timeout")
  private int timeout = 5;

  /** Accepted and unused, as in Tyk. */
  @JsonProperty("optimisation_max_idle")
  @EnvName("MAXIDLE")
  private int maxIdle;

  @JsonProperty("optimisation_max_active")
  @EnvName("MAXACTIVE")
  private int maxActive = 500;

  @JsonProperty("enable_cluster")
  private boolean enableCluster;

  @JsonProperty("key_prefix")
  private String keyPrefix = "";

  /** Deprecated alias of {@code key_prefix}. */
  @JsonProperty("redis_key_prefix")
  private String redisKeyPrefix = "";

  @JsonProperty("use_ssl")
  @EnvName("USESSL")
  private boolean useSsl;

  @JsonProperty("redis_use_ssl")
  @EnvName("REDISUSESSL")
  private boolean redisUseSsl;

  @JsonProperty("ssl_insecure_skip_verify")
  private boolean sslInsecureSkipVerify;

  @JsonProperty("redis_ssl_insecure_skip_verify")
  private boolean redisSslInsecureSkipVerify;

  @JsonProperty("ssl_ca_file")
  private String sslCaFile = "";

  @JsonProperty("ssl_cert_file")
  private String sslCertFile = "";

  @JsonProperty("ssl_key_file")
  private String sslKeyFile = "";

  @JsonProperty("ssl_min_version")
  private String sslMinVersion = "1.2";

  @JsonProperty("ssl_max_version")
  private String sslMaxVersion = "1.3";

  public static final String DEFAULT_KEY_PREFIX = "analytics-";

  public String type() {
    return type == null ? "" : type;
  }

  public String host() {
    return host == null ? "" : host;
  }

  public int port() {
    return port;
  }

  public Map<String, String> hosts() {
    return hosts == null ? Map.of() : hosts;
  }

  public List<String> addrs() {
    return addrs == null ? List.of() : addrs;
  }

  public String masterName() {
    return masterName == null ? "" : masterName;
  }

  public Secret sentinelPassword() {
    return sentinelPassword == null ? Secret.EMPTY : sentinelPassword;
  }

  public String username() {
    return username == null ? "" : username;
  }

  public Secret password() {
    return password == null ? Secret.EMPTY : password;
  }

  public int database() {
    return database;
  }

  public int timeoutSeconds() {
    return timeout <= 0 ? 5 : timeout;
  }

  public int maxActive() {
    return maxActive;
  }

  public boolean enableCluster() {
    return enableCluster;
  }

  /** {@code key_prefix}, else the deprecated {@code redis_key_prefix}, else {@code analytics-}. */
  public String effectiveKeyPrefix() {
    if (keyPrefix != null && !keyPrefix.isEmpty()) {
      return keyPrefix;
    }
    if (redisKeyPrefix != null && !redisKeyPrefix.isEmpty()) {
      return redisKeyPrefix;
    }
    return DEFAULT_KEY_PREFIX;
  }

  /** {@code use_ssl} ORed with the deprecated {@code redis_use_ssl}. */
  public boolean useSsl() {
    return useSsl || redisUseSsl;
  }

  /** {@code ssl_insecure_skip_verify} ORed with the deprecated alias. */
  public boolean sslInsecureSkipVerify() {
    return sslInsecureSkipVerify || redisSslInsecureSkipVerify;
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

  public String sslMinVersion() {
    return sslMinVersion == null || sslMinVersion.isEmpty() ? "1.2" : sslMinVersion;
  }

  public String sslMaxVersion() {
    return sslMaxVersion == null || sslMaxVersion.isEmpty() ? "1.3" : sslMaxVersion;
  }
}
