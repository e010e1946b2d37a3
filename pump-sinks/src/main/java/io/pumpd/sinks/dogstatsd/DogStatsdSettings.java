package io.pumpd.sinks.dogstatsd;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pumpd.core.config.ConfigProblems;
import io.pumpd.core.config.EnvName;
import io.pumpd.core.config.SelfValidating;
import java.time.Duration;
import java.util.List;

/**
 * The {@code meta} of a {@code dogstatsd} pump: Tyk's keys, env names and defaults ({@code
 * reference/tyk-pump.md} §5.2), env {@code TYK_PMP_PUMPS_<NAME>_META_<SEGMENT>}, plus {@code
 * enable_telemetry} (ours). Bound once, then read-only.
 */
public final class DogStatsdSettings implements SelfValidating {
  /** {@code host:port}, {@code unix:///path}, or empty for {@code DD_AGENT_HOST}/{@code DD_DOGSTATSD_PORT}. */
  @JsonProperty("address")
  private String address = "";

  /** Metric prefix; a {@code .} is appended. */
  @JsonProperty("namespace")
  private String namespace = "default";

  /** Client-side sampling in (0, 1]; 0 means 1. */
  @JsonProperty("sample_rate")
  private double sampleRate = 1;

  /** Only applies the unix-socket write timeout below (the socket kind comes from the address). */
  @JsonProperty("async_uds")
  private boolean asyncUds;

  /** Unix-socket write timeout in seconds when {@code async_uds}; 0 means 1. */
  @JsonProperty("async_uds_write_timeout_seconds")
  @EnvName("ASYNCUDSWRITETIMEOUT")
  private int asyncUdsWriteTimeoutSeconds = 1;

  /** False: one metric per datagram. True: up to {@code buffered_max_messages} per datagram. */
  @JsonProperty("buffered")
  private boolean buffered;

  /** Metrics per datagram when {@code buffered}; 0 means 16. */
  @JsonProperty("buffered_max_messages")
  private int bufferedMaxMessages;

  /** Tag names (see {@link DogStatsdTag}); empty for Tyk's default set. */
  @JsonProperty("tags")
  private List<String> tags = List.of();

  /**
   * Ours: let the client send its own {@code datadog.dogstatsd.client.*} metrics every 10 s. Off by
   * default so operators get no metrics they did not ask for (Tyk's Go client has it on).
   */
  @JsonProperty("enable_telemetry")
  private boolean enableTelemetry;

  /** Tyk's unix-socket write timeout when {@code async_uds} is off (the Go library's default). */
  static final Duration DEFAULT_UDS_WRITE_TIMEOUT = Duration.ofMillis(100);

  static final int DEFAULT_BUFFERED_MAX_MESSAGES = 16;

  public String address() {
    return address == null ? "" : address.trim();
  }

  public String namespace() {
    return namespace == null || namespace.isEmpty() ? "default" : namespace;
  }

  /** {@code sample_rate} with Tyk's rule: 0 means 1. */
  public double sampleRate() {
    return sampleRate == 0 ? 1 : sampleRate;
  }

  public boolean asyncUds() {
    return asyncUds;
  }

  /** The unix-socket write timeout: {@code async_uds_write_timeout_seconds} if {@code async_uds}, else 100 ms. */
  public Duration udsWriteTimeout() {
    if (!asyncUds) {
      return DEFAULT_UDS_WRITE_TIMEOUT;
    }
    return Duration.ofSeconds(asyncUdsWriteTimeoutSeconds == 0 ? 1 : asyncUdsWriteTimeoutSeconds);
  }

  public boolean buffered() {
    return buffered;
  }

  /** Metrics per datagram: 1 unbuffered (Tyk's {@code WithMaxMessagesPerPayload(1)}), else the setting or 16. */
  public int maxMessagesPerDatagram() {
    if (!buffered) {
      return 1;
    }
    return bufferedMaxMessages == 0 ? DEFAULT_BUFFERED_MAX_MESSAGES : bufferedMaxMessages;
  }

  /** The configured tag names, trimmed (env lists often carry spaces after commas). */
  public List<String> tags() {
    return tags == null ? List.of() : tags.stream().map(String::trim).toList();
  }

  public boolean enableTelemetry() {
    return enableTelemetry;
  }

  @Override
  public void validate(ConfigProblems problems) {
    if (!address().isEmpty()) {
      try {
        DogStatsdAddress.parse(address());
      } catch (IllegalArgumentException e) {
        problems.add("address", e.getMessage());
      }
    }
    if (namespace().chars().anyMatch(c -> Character.isWhitespace(c) || ":|@#,".indexOf(c) >= 0)) {
      problems.add("namespace", "'" + namespace + "' must not contain whitespace or any of : | @ # ,");
    }
    if (Double.isNaN(sampleRate) || sampleRate < 0 || sampleRate > 1) {
      problems.add("sample_rate", sampleRate + " is not in (0, 1]; 1 keeps every record, 0.5 half");
    }
    if (asyncUdsWriteTimeoutSeconds < 0) {
      problems.add("async_uds_write_timeout_seconds", "must be >= 0 (0 means 1 s)");
    }
    if (bufferedMaxMessages < 0) {
      problems.add("buffered_max_messages", "must be >= 0 (0 means 16)");
    }
    for (String tag : tags()) {
      if (DogStatsdTag.byName(tag).isEmpty()) {
        problems.add(
            "tags",
            "unknown tag '" + tag + "'; accepted: " + DogStatsdTag.acceptedNames()
                + " (Tyk aborts the batch at run time instead)");
      }
    }
  }
}
