package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code delivery}: how {@code delivery_guarantee: "at_least_once"} keeps records in Redis until
 * every pump has them (this daemon's addition; see {@code docs/DELIVERY.md}). Ignored in {@code
 * at_most_once} mode. Env: {@code TYK_PMP_DELIVERY_<FIELD>}, e.g. {@code
 * TYK_PMP_DELIVERY_MAXBACKLOGRECORDS}.
 */
public final class DeliveryConfig implements SelfValidating {

  /**
   * Most records kept in Redis for one pump that has not taken them yet (its backlog). Past it the
   * oldest records are dropped for that pump only, counted and logged. A pump's own {@code
   * max_backlog_records} wins. 0 = no record bound.
   */
  @JsonProperty("max_backlog_records")
  private long maxBacklogRecords = 1_000_000;

  /**
   * The same bound in bytes of gateway records (estimated from the average record size). A pump's
   * own {@code max_backlog_bytes} wins. 0 = no byte bound.
   */
  @JsonProperty("max_backlog_bytes")
  private long maxBacklogBytes = 1L << 30;

  /**
   * Seconds a stream entry taken by a daemon may stay unconfirmed and unrenewed before another
   * daemon takes it over (a daemon renews the entries it works on every third of this).
   */
  @JsonProperty("lease_seconds")
  private int leaseSeconds = 30;

  /**
   * This daemon's consumer name in the Redis consumer groups; empty = the host name. Replicas on
   * one Redis need distinct names; a daemon restarted under the same name resumes its own
   * unconfirmed entries at once instead of after {@code lease_seconds}.
   */
  @JsonProperty("consumer_name")
  private String consumerName = "";

  /**
   * Appended to {@code {<gateway list key>}} to name the pump-owned stream (same hash slot as the
   * list in Redis Cluster).
   */
  @JsonProperty("stream_suffix")
  private String streamSuffix = ":pumpd";

  /** Most records moved from a gateway list into one stream entry ({@code purge_chunk} wins when > 0). */
  @JsonProperty("entry_records")
  private int entryRecords = 1000;

  /**
   * Most heap one pump's records may take while it holds them (taken, not yet confirmed or
   * retried), counted as they decode (estimated), not by their size in Redis: small values
   * decode to many times their wire size. Nothing new is read for the pump above it.
   */
  @JsonProperty("max_in_flight_bytes")
  private long maxInFlightBytes = 16L << 20;

  /**
   * Milliseconds between two looks at the gateway lists (each takes all they hold) and between
   * reads of an idle stream (the local mover wakes its consumers sooner); {@code purge_delay}
   * when that is shorter.
   */
  @JsonProperty("poll_interval_ms")
  private int pollIntervalMs = 500;

  /**
   * Seconds a pump may take to confirm a batch it accepted (a buffered pump's flush) before the
   * batch is offered to it again.
   */
  @JsonProperty("confirm_timeout_seconds")
  private int confirmTimeoutSeconds = 120;

  public long maxBacklogRecords() {
    return maxBacklogRecords;
  }

  public long maxBacklogBytes() {
    return maxBacklogBytes;
  }

  public int leaseSeconds() {
    return leaseSeconds;
  }

  public String consumerName() {
    return consumerName == null ? "" : consumerName;
  }

  public String streamSuffix() {
    return streamSuffix == null || streamSuffix.isEmpty() ? ":pumpd" : streamSuffix;
  }

  public int entryRecords() {
    return entryRecords;
  }

  public long maxInFlightBytes() {
    return maxInFlightBytes;
  }

  public int pollIntervalMs() {
    return pollIntervalMs;
  }

  public int confirmTimeoutSeconds() {
    return confirmTimeoutSeconds;
  }

  @Override
  public void validate(ConfigProblems problems) {
    if (maxBacklogRecords < 0) {
      problems.add("max_backlog_records", "must be >= 0 records (0 = no record bound)");
    }
    if (maxBacklogBytes < 0) {
      problems.add("max_backlog_bytes", "must be >= 0 bytes (0 = no byte bound)");
    }
    if (leaseSeconds < 3) {
      problems.add("lease_seconds", "must be >= 3 seconds");
    }
    if (streamSuffix().contains("{") || streamSuffix().contains("}")) {
      problems.add("stream_suffix", "must not contain { or } (the stream key's hash tag is the list key)");
    }
    if (entryRecords < 1 || entryRecords > 100_000) {
      problems.add("entry_records", "must be between 1 and 100000 records");
    }
    if (maxInFlightBytes < 1) {
      problems.add("max_in_flight_bytes", "must be > 0 bytes");
    }
    if (pollIntervalMs < 1) {
      problems.add("poll_interval_ms", "must be > 0 milliseconds");
    }
    if (confirmTimeoutSeconds < 1) {
      problems.add("confirm_timeout_seconds", "must be > 0 seconds");
    }
  }
}
