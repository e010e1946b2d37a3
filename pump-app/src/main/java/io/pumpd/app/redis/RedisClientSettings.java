package io.pumpd.app.redis;

import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.Secret;
import io.pumpd.core.config.StorageConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code analytics_storage_config} resolved into what a Redis client needs, following Tyk's rules
 * ({@code reference/tyk-pump.md} §2.5):
 *
 * <ul>
 *   <li>Mode: {@code master_name} set selects Sentinel (it wins over cluster), else {@code
 *       enable_cluster} selects Cluster, else a single node.
 *   <li>Addresses, first match wins: {@code addrs}; else the deprecated {@code hosts} map; else
 *       {@code host:port} when {@code port} is not 0 (an empty host means {@code localhost}); else
 *       {@code 127.0.0.1:6379}. A single node uses the first address; Cluster uses all as seeds;
 *       Sentinel uses all as sentinels.
 *   <li>{@code timeout} is in seconds (default 5): connect timeout and command timeout.
 *   <li>{@code database} is ignored in Cluster mode (Redis Cluster has only database 0).
 *   <li>Not used: {@code optimisation_max_idle} (unused by Tyk too) and {@code
 *       optimisation_max_active} (a pool size: this pump uses one multiplexed connection per node),
 *       {@code iam_auth} (GCP Memorystore IAM tokens are not supported).
 * </ul>
 *
 * <p>Immutable.
 */
public final class RedisClientSettings {

  /** Which kind of client to build. */
  public enum Mode {
    STANDALONE,
    SENTINEL,
    CLUSTER
  }

  private final Mode mode;
  private final List<RedisAddress> addresses;
  private final String masterName;
  private final Secret sentinelPassword;
  private final String username;
  private final Secret password;
  private final int database;
  private final Duration timeout;
  private final RedisTls tls;

  private RedisClientSettings(StorageConfig c, List<RedisAddress> addresses, RedisTls tls) {
    this.mode = !c.masterName().isEmpty() ? Mode.SENTINEL
        : c.enableCluster() ? Mode.CLUSTER : Mode.STANDALONE;
    this.addresses = List.copyOf(addresses);
    this.masterName = c.masterName();
    this.sentinelPassword = c.sentinelPassword();
    this.username = c.username();
    this.password = c.password();
    this.database = c.database();
    this.timeout = Duration.ofSeconds(c.timeoutSeconds());
    this.tls = tls;
  }

  /**
   * Resolves and validates {@code config}, loading TLS files.
   *
   * @throws RedisConfigException listing every problem
   */
  public static RedisClientSettings from(StorageConfig config) {
    ConfigProblems problems = new ConfigProblems();
    RedisClientSettings settings = resolve(config, problems);
    if (!problems.isEmpty()) {
      throw new RedisConfigException(problems.all());
    }
    return settings;
  }

  /**
   * Adds every problem of {@code config} to {@code problems} (keys relative to {@code
   * analytics_storage_config}), for a config check that reports all sections at once.
   */
  public static void validate(StorageConfig config, ConfigProblems problems) {
    resolve(config, problems);
  }

  private static RedisClientSettings resolve(StorageConfig c, ConfigProblems problems) {
    String type = c.type();
    if (!type.isEmpty() && !type.equals("redis")) {
      problems.add("type", "unsupported database type '" + type + "' (only \"redis\" or empty)");
    }
    if (c.database() < 0) {
      problems.add("database", "must not be negative, got " + c.database());
    }
    List<RedisAddress> addresses = addresses(c, problems);
    Optional<RedisTls> tls = RedisTls.from(c, problems);
    return new RedisClientSettings(c, addresses, tls.orElse(null));
  }

  /** The address list by Tyk's precedence; bad entries are reported and left out. */
  static List<RedisAddress> addresses(StorageConfig c, ConfigProblems problems) {
    List<RedisAddress> out = new ArrayList<>();
    if (!c.addrs().isEmpty()) {
      for (String a : c.addrs()) {
        try {
          out.add(RedisAddress.parse(a));
        } catch (IllegalArgumentException e) {
          problems.add("addrs", e.getMessage());
        }
      }
    } else if (!c.hosts().isEmpty()) {
      for (Map.Entry<String, String> e : c.hosts().entrySet()) {
        String original = e.getKey() + ":" + e.getValue();
        try {
          out.add(RedisAddress.of(e.getKey(), String.valueOf(e.getValue()), original));
        } catch (IllegalArgumentException ex) {
          problems.add("hosts", ex.getMessage());
        }
      }
    } else if (c.port() != 0) {
      String host = c.host().isEmpty() ? "localhost" : c.host();
      try {
        out.add(new RedisAddress(host, c.port()));
      } catch (IllegalArgumentException e) {
        problems.add("port", e.getMessage());
      }
    } else {
      out.add(RedisAddress.DEFAULT);
    }
    return out;
  }

  public Mode mode() {
    return mode;
  }

  /** Never empty once {@link #from} succeeded. */
  public List<RedisAddress> addresses() {
    return addresses;
  }

  /** Sentinel master name; empty unless {@link Mode#SENTINEL}. */
  public String masterName() {
    return masterName;
  }

  public Secret sentinelPassword() {
    return sentinelPassword;
  }

  /** Redis 6 ACL user; empty for password-only {@code AUTH}. */
  public String username() {
    return username;
  }

  public Secret password() {
    return password;
  }

  public int database() {
    return database;
  }

  /** Connect and command timeout. */
  public Duration timeout() {
    return timeout;
  }

  public Optional<RedisTls> tls() {
    return Optional.ofNullable(tls);
  }

  /** For logs: mode and addresses, never credentials. */
  public String describe() {
    String where = addresses.size() == 1 || mode == Mode.STANDALONE
        ? addresses.get(0).toString() : addresses.toString();
    return switch (mode) {
      case STANDALONE -> where + (database != 0 ? " db " + database : "");
      case SENTINEL -> "sentinel master '" + masterName + "' via " + where;
      case CLUSTER -> "cluster " + where;
    };
  }
}
