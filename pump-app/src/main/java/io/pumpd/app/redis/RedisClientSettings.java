package io.pumpd.app.redis;

import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.RedisAddress;
import io.pumpd.core.config.Secret;
import io.pumpd.core.config.StorageConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code analytics_storage_config} resolved into what a Redis client needs, following Tyk's rules
 * ({@code reference/tyk-pump.md} §2.5). The checks are {@link StorageConfig#validate}'s, run at
 * config load; this class only maps a valid section:
 *
 * <ul>
 *   <li>Mode: {@code master_name} set selects Sentinel (it wins over cluster), else {@code
 *       enable_cluster} selects Cluster, else a single node.
 *   <li>Addresses: {@link StorageConfig#addresses()}. A single node uses the first address;
 *       Cluster uses all as seeds; Sentinel uses all as sentinels.
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
   * Resolves {@code config}, loading its TLS files. Runs {@link StorageConfig#validate} first, the
   * same check the configuration loader ran for every command, so a configuration that loaded
   * passes here unless a file changed since.
   *
   * @throws RedisConfigException listing every problem
   */
  public static RedisClientSettings from(StorageConfig config) {
    ConfigProblems problems = new ConfigProblems();
    config.validate(problems);
    Optional<RedisTls> tls = problems.isEmpty() ? RedisTls.from(config, problems) : Optional.empty();
    if (!problems.isEmpty()) {
      throw new RedisConfigException(problems.all());
    }
    return new RedisClientSettings(config, config.addresses(), tls.orElse(null));
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
