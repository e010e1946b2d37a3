package io.pumpd.core.text;

/**
 * Keeps text that came from outside (pump names, config keys, record values, a backend's error
 * message) on one line when it is logged or printed: every character that can end a line or
 * rewrite a terminal is written as an escape. Escaped: the C0 controls except tab ({@code \r},
 * {@code \n} as themselves, the others as {@code \u001b}-style escapes), DEL, the C1 controls (NEL,
 * U+0085, among them) and the Unicode line and paragraph separators (U+2028, U+2029). Everything
 * else, backslashes and non-ASCII text included, is left as it is. Stateless and thread-safe.
 */
public final class ControlCharacters {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ControlCharacters() {}

  /** Whether {@code c} is escaped by {@link #escape}. */
  public static boolean isEscaped(char c) {
    return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }

  /** Whether {@code s} holds any character that {@link #escape} would escape. */
  public static boolean containsAny(CharSequence s) {
    return firstEscaped(s) >= 0;
  }

  /**
   * {@code s} with every control character escaped; {@code s} itself (no copy) when it has none,
   * so the common case costs one scan. Null stays null.
   */
  public static String escape(String s) {
    if (s == null) {
      return null;
    }
    int first = firstEscaped(s);
    if (first < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    out.append(s, 0, first);
    for (int i = first; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isEscaped(c)) {
        out.append(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
            .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  private static int firstEscaped(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      if (isEscaped(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
