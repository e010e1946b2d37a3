package io.pumpd.sinks.influx2;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.EnvName;
import io.pumpd.core.config.Secret;
import io.pumpd.core.config.SelfValidating;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code meta} of an {@code influx2} pump: Tyk's keys and env names ({@code
 * reference/tyk-pump.md} §5.3; env {@code TYK_PMP_PUMPS_<NAME>_META_<SEGMENT>}, note {@code ADDR},
 * {@code ORGNAME}, {@code BUCKETNAME}), plus {@code batch_size} and {@code verify_bucket} (ours).
 * Bound once, then read-only.
 */
public final class Influx2Settings implements SelfValidating {
  /**
   * The {@code fields} written when none are configured (Tyk writes points without fields, which
   * InfluxDB rejects): the request's timings and status code. Names also configured as tags are
   * left out.
   */
  public static final List<String> DEFAULT_FIELDS =
      List.of("request_time", "total_latency", "upstream_latency", "response_code");

  /** Server URL, e.g. {@code http://influxdb:8086}. */
  @JsonProperty("address")
  @EnvName("ADDR")
  private String address = "";

  @JsonProperty("token")
  private Secret token = Secret.EMPTY;

  /** Organization name. */
  @JsonProperty("organization")
  @EnvName("ORGNAME")
  private String organization = "";

  /** Bucket name. */
  @JsonProperty("bucket")
  @EnvName("BUCKETNAME")
  private String bucket = "";

  @JsonProperty("create_missing_bucket")
  private boolean createMissingBucket;

  @JsonProperty("new_bucket_config")
  private NewBucketConfig newBucketConfig = new NewBucketConfig();

  /** Record attributes written as fields; empty for {@link #DEFAULT_FIELDS}. */
  @JsonProperty("fields")
  private List<String> fields = List.of();

  /** Record attributes written as tags. */
  @JsonProperty("tags")
  private List<String> tags = List.of();

  /**
   * Tyk: flush the client's buffer after every batch. Accepted for compatibility; every batch is
   * written before {@code write} completes, so it has no effect.
   */
  @JsonProperty("flush")
  private boolean flush;

  /** Ours: points per HTTP write request (InfluxData recommends about 5000 lines). */
  @JsonProperty("batch_size")
  private int batchSize = 5000;

  /**
   * Ours: look the organization and bucket up (creating the bucket if {@code
   * create_missing_bucket}) before the first write, as Tyk does. Turn it off for write-only tokens
   * or servers that only implement the v2 write API.
   */
  @JsonProperty("verify_bucket")
  private boolean verifyBucket = true;

  /** {@code new_bucket_config}: how a missing bucket is created. */
  public static final class NewBucketConfig {
    @JsonProperty("description")
    private String description = "";

    /** Not settable from env (a list of objects), as in Tyk. */
    @JsonProperty("retention_rules")
    private List<RetentionRule> retentionRules = List.of();

    public String description() {
      return description == null ? "" : description;
    }

    public List<RetentionRule> retentionRules() {
      return retentionRules == null ? List.of() : retentionRules;
    }
  }

  /** One {@code retention_rules} entry. */
  public static final class RetentionRule {
    /** Seconds to keep data; 0 means forever. */
    @JsonProperty("every_seconds")
    private long everySeconds;

    /** Shard group duration in seconds; 0 lets the server choose. */
    @JsonProperty("shard_group_duration_seconds")
    private long shardGroupDurationSeconds;

    /** {@code expire} (the only type InfluxDB 2 knows); empty means {@code expire}. */
    @JsonProperty("type")
    private String type = "expire";

    public long everySeconds() {
      return everySeconds;
    }

    public long shardGroupDurationSeconds() {
      return shardGroupDurationSeconds;
    }

    public String type() {
      return type == null || type.isEmpty() ? "expire" : type;
    }
  }

  public String address() {
    return address == null ? "" : address.trim();
  }

  public Secret token() {
    return token == null ? Secret.EMPTY : token;
  }

  public String organization() {
    return organization == null ? "" : organization;
  }

  public String bucket() {
    return bucket == null ? "" : bucket;
  }

  public boolean createMissingBucket() {
    return createMissingBucket;
  }

  public NewBucketConfig newBucketConfig() {
    return newBucketConfig == null ? new NewBucketConfig() : newBucketConfig;
  }

  /** The configured field names (trimmed), or empty. */
  public List<String> fields() {
    return trimmed(fields);
  }

  /** The configured tag names (trimmed), or empty. */
  public List<String> tags() {
    return trimmed(tags);
  }

  public boolean flush() {
    return flush;
  }

  public int batchSize() {
    return batchSize;
  }

  public boolean verifyBucket() {
    return verifyBucket;
  }

  /** The fields to write: {@code fields}, or {@link #DEFAULT_FIELDS} without the configured tags. */
  public List<String> effectiveFields() {
    if (!fields().isEmpty()) {
      return fields();
    }
    List<String> out = new ArrayList<>(DEFAULT_FIELDS);
    out.removeAll(tags());
    return out.isEmpty() ? List.of(DEFAULT_FIELDS.get(0)) : out;
  }

  @Override
  public void validate(ConfigProblems problems) {
    if (address().isEmpty()) {
      problems.add("address", "required: the InfluxDB 2 URL, e.g. http://influxdb:8086");
    } else {
      try {
        URI u = URI.create(address());
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
          problems.add("address", "'" + address + "' is not an http(s) URL");
        }
      } catch (IllegalArgumentException e) {
        problems.add("address", "'" + address + "' is not a URL: " + e.getMessage());
      }
    }
    if (organization().isBlank()) {
      problems.add("organization", "required: the organization name");
    }
    if (bucket().isBlank()) {
      problems.add("bucket", "required: the bucket name");
    }
    checkNames(problems, "fields", fields());
    checkNames(problems, "tags", tags());
    if (batchSize < 1) {
      problems.add("batch_size", "must be >= 1");
    }
    List<RetentionRule> rules = newBucketConfig().retentionRules();
    for (int i = 0; i < rules.size(); i++) {
      RetentionRule r = rules.get(i);
      String key = "new_bucket_config.retention_rules[" + i + "]";
      if (r == null) {
        problems.add(key, "must be an object");
        continue;
      }
      if (r.everySeconds() < 0 || r.everySeconds() > Integer.MAX_VALUE) {
        problems.add(key + ".every_seconds", "must be 0 (forever) .. " + Integer.MAX_VALUE);
      }
      if (r.shardGroupDurationSeconds() < 0) {
        problems.add(key + ".shard_group_duration_seconds", "must be >= 0");
      }
      if (!"expire".equals(r.type())) {
        problems.add(key + ".type", "'" + r.type() + "': InfluxDB 2 only knows 'expire'");
      }
    }
  }

  private static void checkNames(ConfigProblems problems, String key, List<String> names) {
    for (String n : names) {
      if (Influx2Attribute.byName(n).isEmpty()) {
        problems.add(
            key,
            "unknown name '" + n + "'; accepted: " + Influx2Attribute.acceptedNames()
                + " (Tyk writes null or <nil> for it instead)");
      }
    }
  }

  private static List<String> trimmed(List<String> l) {
    return l == null ? List.of() : l.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
