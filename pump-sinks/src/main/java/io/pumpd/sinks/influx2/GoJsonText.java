package io.pumpd.sinks.influx2;

/**
 * Go's {@code encoding/json} rendering of a string ({@code json.Marshal}, HTML-safe, as of Go
 * 1.22): {@code "} and {@code \} backslash-escaped; {@code \b \f \n \r \t} short-escaped; other
 * control characters and {@code < > &} as {@code \}{@code u00xx}; U+2028/U+2029 escaped; invalid
 * UTF-16 (a lone surrogate) as U+FFFD. Tyk's influx2 pump renders tag values this way. Stateless.
 */
final class GoJsonText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoJsonText() {}

  /** {@code s} as a quoted JSON string, exactly as Go's {@code json.Marshal} writes it. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(sb, c);
        default -> {
          if (c < 0x20) {
            unicodeEscape(sb, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            sb.append('\ufffd');
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
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

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }
}
