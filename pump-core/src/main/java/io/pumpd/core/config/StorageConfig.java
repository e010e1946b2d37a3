package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pumpd.core.tls.TlsFiles;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code analytics_storage_config}: how to reach the Redis the gateway writes to ({@code
 * reference/tyk-pump.md} §2.5). Env: {@code TYK_PMP_ANALYTICSSTORAGECONFIG_<FIELD>}, then the
 * deprecated {@code TYK_PMP_REDIS_<FIELD>}, then {@code TYK_PMP_TEMPORAL_STORAGE_<FIELD>} (last
 * wins).
 */
public final class StorageConfig implements SelfValidating, CertificateFiles {
  private static final List<String> TLS_VERSIONS = List.of("1.0", "1.1", "1.2", "1.3");
  private static final List<String> JSSE_PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

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

  /** GCP IAM token auth: accepted, not supported (enabling it is a configuration problem). */
  @JsonProperty("iam_auth")
  private IamAuthConfig iamAuth = new IamAuthConfig();

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

  public IamAuthConfig iamAuth() {
    return iamAuth == null ? new IamAuthConfig() : iamAuth;
  }

  /** The raw {@code optimisation_max_idle} (unused, as in Tyk). */
  public int maxIdle() {
    return maxIdle;
  }

  /** The deprecated {@code redis_key_prefix} as written. */
  public String redisKeyPrefix() {
    return redisKeyPrefix == null ? "" : redisKeyPrefix;
  }

  /** Whether a deprecated TLS alias ({@code redis_use_ssl}, {@code redis_ssl_insecure_skip_verify}) is on. */
  public boolean usesDeprecatedTlsAliases() {
    return redisUseSsl || redisSslInsecureSkipVerify;
  }

  @Override
  public Map<String, String> certificateFiles() {
    return CertificateFiles.caAndCert(sslCaFile(), sslCertFile());
  }

  /**
   * The addresses to connect to, by Tyk's precedence ({@code reference/tyk-pump.md} §2.5): {@code
   * addrs}; else the deprecated {@code hosts} map; else {@code host:port} when {@code port} is not
   * 0 (an empty host means {@code localhost}); else {@code 127.0.0.1:6379}. Never empty.
   *
   * @throws IllegalArgumentException for an entry that {@link #validate} reports; a configuration
   *     that loaded never throws
   */
  public List<RedisAddress> addresses() {
    if (!addrs().isEmpty()) {
      return addrs().stream().map(RedisAddress::parse).toList();
    }
    if (!hosts().isEmpty()) {
      return hosts().entrySet().stream().map(e -> hostsAddress(e.getKey(), e.getValue())).toList();
    }
    if (port != 0) {
      return List.of(new RedisAddress(host().isEmpty() ? "localhost" : host(), port));
    }
    return List.of(RedisAddress.DEFAULT);
  }

  /**
   * The JSSE protocol names from {@code ssl_min_version} to {@code ssl_max_version}, both ends
   * included ({@code TLSv1} to {@code TLSv1.3}).
   *
   * @throws IllegalArgumentException for versions that {@link #validate} reports
   */
  public List<String> tlsProtocols() {
    int lo = TLS_VERSIONS.indexOf(sslMinVersion());
    int hi = TLS_VERSIONS.indexOf(sslMaxVersion());
    if (lo < 0 || hi < 0 || lo > hi) {
      throw new IllegalArgumentException("invalid TLS version range " + sslMinVersion() + ".."
          + sslMaxVersion());
    }
    return JSSE_PROTOCOLS.subList(lo, hi + 1);
  }

  /**
   * Every check of this section, the only one: addresses as {@link #addresses()} parses them, the
   * TLS versions, and with {@code use_ssl} the PEM files as the Redis client loads them ({@link
   * TlsFiles}). The configuration loader runs it for every command, and the Redis client runs it
   * again before connecting.
   */
  @Override
  public void validate(ConfigProblems problems) {
    if (!type().isEmpty() && !type().equals("redis")) {
      problems.add("type", "\"" + type() + "\" is not supported; use \"redis\" or leave it empty");
    }
    if (port < 0 || port > 65535) {
      problems.add("port", "must be between 1 and 65535 (0 = unset), got " + port);
    }
    if (!host().isEmpty()) {
      checkAddress(problems, "host", () -> new RedisAddress(host(), 6379));
    }
    for (int i = 0; i < addrs().size(); i++) {
      String addr = addrs().get(i);
      checkAddress(problems, "addrs[" + i + "]", () -> RedisAddress.parse(addr));
    }
    hosts().forEach((h, p) -> checkAddress(problems, "hosts", () -> hostsAddress(h, p)));
    if (database < 0) {
      problems.add("database", "must be >= 0");
    }
    if (timeout < 0) {
      problems.add("timeout", "must be >= 0 seconds (0 = the default 5)");
    }
    if (maxActive < 0) {
      problems.add("optimisation_max_active", "must be >= 0 (0 = the default 500)");
    }
    if (maxIdle < 0) {
      problems.add("optimisation_max_idle", "must be >= 0");
    }
    boolean minOk = checkTlsVersion(problems, "ssl_min_version", sslMinVersion());
    boolean maxOk = checkTlsVersion(problems, "ssl_max_version", sslMaxVersion());
    if (minOk && maxOk && sslMinVersion().compareTo(sslMaxVersion()) > 0) {
      problems.add("ssl_min_version", "\"" + sslMinVersion() + "\" is above ssl_max_version \""
          + sslMaxVersion() + "\"");
    }
    if (useSsl()) {
      TlsFiles.load(sslCaFile(), sslCertFile(), sslKeyFile(), problems);
    }
    if (iamAuth().enabled()) {
      problems.add("iam_auth.enabled", "IAM token authentication is not supported by pumpd; "
          + "use username/password (Redis ACL) instead");
    }
  }

  private static void checkAddress(
      ConfigProblems problems, String key, Supplier<RedisAddress> parse) {
    try {
      parse.get();
    } catch (IllegalArgumentException e) {
      problems.add(key, e.getMessage());
    }
  }

  /** One entry of the deprecated {@code hosts} map (host to port). */
  private static RedisAddress hostsAddress(String host, String port) {
    return RedisAddress.of(host, String.valueOf(port), host + ":" + port);
  }

  private static boolean checkTlsVersion(ConfigProblems problems, String key, String value) {
    if (TLS_VERSIONS.contains(value)) {
      return true;
    }
    problems.add(key, "\"" + value + "\" is not a TLS version; use 1.0, 1.1, 1.2 or 1.3");
    return false;
  }
}
