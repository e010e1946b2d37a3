package io.pumpd.sinks.influx2;

import io.pumpd.core.record.GoJsonString;

/**
 * Tyk's influx2 tag text: a value rendered as Go's {@code json.Marshal} renders it ({@link
 * GoJsonString#quote}), then trimmed of quotes. Stateless.
 */
final class GoJsonText {
  private GoJsonText() {}

  /** {@code s} as Tyk writes a string into a tag: Go's JSON text without its quotes. */
  static String tagText(String s) {
    return trimQuotes(GoJsonString.quote(s));
  }

  /**
   * Tyk's tag value: the JSON text with every leading and trailing {@code "} removed ({@code
   * strings.Trim(json, `"`)}).
   */
  static String trimQuotes(String json) {
    int start = 0;
    int end = json.length();
    while (start < end && json.charAt(start) == '"') {
      start++;
    }
    while (end > start && json.charAt(end - 1) == '"') {
      end--;
    }
    return json.substring(start, end);
  }
}
