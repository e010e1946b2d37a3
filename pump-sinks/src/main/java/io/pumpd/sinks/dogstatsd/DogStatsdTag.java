package io.pumpd.sinks.dogstatsd;

import io.pumpd.core.record.AnalyticsRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The tag names Tyk's dogstatsd pump accepts in {@code tags} ({@code reference/tyk-pump.md} §5.2),
 * each with Tyk's rendering. Immutable.
 */
public enum DogStatsdTag {
  METHOD("method"),
  RESPONSE_CODE("response_code"),
  API_VERSION("api_version"),
  API_NAME("api_name"),
  API_ID("api_id"),
  ORG_ID("org_id"),
  TRACKED("tracked"),
  PATH("path"),
  OAUTH_ID("oauth_id");

  private final String configName;

  DogStatsdTag(String configName) {
    this.configName = configName;
  }

  /** The name used in the {@code tags} setting and as the tag key. */
  public String configName() {
    return configName;
  }

  /** The tag with that {@code tags} name, if Tyk accepts it. */
  public static Optional<DogStatsdTag> byName(String name) {
    for (DogStatsdTag t : values()) {
      if (t.configName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** All accepted names, comma-separated, for error messages. */
  public static String acceptedNames() {
    return Arrays.stream(values()).map(DogStatsdTag::configName).collect(Collectors.joining(", "));
  }

  /** {@code names} resolved in order; callers validate first ({@link #byName}). */
  static List<DogStatsdTag> resolve(List<String> names) {
    return names.stream()
        .map(n -> byName(n).orElseThrow(() -> new IllegalArgumentException("unknown tag " + n)))
        .toList();
  }

  /**
   * {@code key:value} for {@code r} as Tyk renders it when the tag is configured explicitly, or
   * {@code null} when Tyk leaves it out ({@code oauth_id} when empty). {@code path} loses its
   * trailing slashes ({@code strings.TrimRight(path, "/")}); {@code response_code} is the decimal
   * code, {@code tracked} is {@code true}/{@code false}.
   */
  String renderConfigured(AnalyticsRecord r) {
    return switch (this) {
      case PATH -> "path:" + trimTrailingSlashes(r.getPath());
      case OAUTH_ID -> r.getOauthId().isEmpty() ? null : "oauth_id:" + r.getOauthId();
      default -> renderUntrimmed(r);
    };
  }

  /** {@code key:value} with the value as recorded (Tyk's default tag set does not trim the path). */
  String renderUntrimmed(AnalyticsRecord r) {
    return switch (this) {
      case METHOD -> "method:" + r.getMethod();
      case RESPONSE_CODE -> "response_code:" + r.getResponseCode();
      case API_VERSION -> "api_version:" + r.getApiVersion();
      case API_NAME -> "api_name:" + r.getApiName();
      case API_ID -> "api_id:" + r.getApiId();
      case ORG_ID -> "org_id:" + r.getOrgId();
      case TRACKED -> "tracked:" + r.isTrackPath();
      case PATH -> "path:" + r.getPath();
      case OAUTH_ID -> "oauth_id:" + r.getOauthId();
    };
  }

  private static String trimTrailingSlashes(String path) {
    int end = path.length();
    while (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(0, end);
  }
}
