package io.pumpd.core.record;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * How Go's {@code encoding/json} writes a string ({@code json.Marshal}, HTML-safe, Go 1.22 and
 * later): the one definition of its escapes, used both by {@link RecordJson}'s mapper (through
 * {@link #characterEscapes()}) and by {@link #quote}, for code that renders a single value.
 *
 * <ul>
 *   <li>{@code "} and {@code \} backslash-escaped;
 *   <li>{@code \b \f \n \r \t} in their short forms, the other C0 controls as lowercase
 *       <code>&#92;u001b</code>-style escapes;
 *   <li>{@code <}, {@code >}, {@code &} (HTML-safe output) and U+2028, U+2029 as
 *       <code>&#92;u003c</code>-style escapes;
 *   <li>everything else as it is: {@code /}, DEL, non-ASCII text.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class GoJsonString {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** The escape of every ASCII character that has one, else null. */
  private static final String[] ASCII_ESCAPES = new String[128];

  private static final String LINE_SEPARATOR = unicodeEscape('\u2028');
  private static final String PARAGRAPH_SEPARATOR = unicodeEscape('\u2029');

  static {
    for (char c = 0; c < 0x20; c++) {
      ASCII_ESCAPES[c] = unicodeEscape(c);
    }
    ASCII_ESCAPES['\b'] = "\\b";
    ASCII_ESCAPES['\f'] = "\\f";
    ASCII_ESCAPES['\n'] = "\\n";
    ASCII_ESCAPES['\r'] = "\\r";
    ASCII_ESCAPES['\t'] = "\\t";
    ASCII_ESCAPES['"'] = "\\\"";
    ASCII_ESCAPES['\\'] = "\\\\";
    for (char c : new char[] {'<', '>', '&'}) {
      ASCII_ESCAPES[c] = unicodeEscape(c);
    }
  }

  private GoJsonString() {}

  /**
   * The escape Go writes for the UTF-16 unit {@code c} inside a JSON string ({@code \n},
   * <code>&#92;u003c</code>), or {@code null} when Go writes it as it is.
   */
  public static String escapeOf(int c) {
    if (c < ASCII_ESCAPES.length) {
      return c < 0 ? null : ASCII_ESCAPES[c];
    }
    return switch (c) {
      case '\u2028' -> LINE_SEPARATOR;
      case '\u2029' -> PARAGRAPH_SEPARATOR;
      default -> null;
    };
  }

  /**
   * {@code s} as a quoted JSON string, exactly as Go's {@code json.Marshal} writes it. Invalid
   * UTF-16 (a lone surrogate, which in Go would be invalid UTF-8) becomes U+FFFD, as in Go.
   */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String escape = escapeOf(c);
      if (escape != null) {
        sb.append(escape);
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
    return sb.append('"').toString();
  }

  /**
   * The same escapes for a Jackson {@code JsonFactory} ({@code characterEscapes(...)}); a new
   * instance each call, immutable once built.
   */
  public static CharacterEscapes characterEscapes() {
    return new JacksonEscapes();
  }

  private static String unicodeEscape(char c) {
    return new String(new char[] {
      '\\', 'u', HEX[(c >> 12) & 0xf], HEX[(c >> 8) & 0xf], HEX[(c >> 4) & 0xf], HEX[c & 0xf]
    });
  }

  /** {@link #escapeOf} as Jackson asks for it: a table for ASCII, a lookup for the rest. */
  private static final class JacksonEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;

    private final int[] ascii = new int[ASCII_ESCAPES.length];
    private final SerializedString[] asciiEscapes = new SerializedString[ASCII_ESCAPES.length];
    private final SerializedString lineSeparator = new SerializedString(LINE_SEPARATOR);
    private final SerializedString paragraphSeparator = new SerializedString(PARAGRAPH_SEPARATOR);

    JacksonEscapes() {
      for (int c = 0; c < ascii.length; c++) {
        if (ASCII_ESCAPES[c] != null) {
          ascii[c] = ESCAPE_CUSTOM;
          asciiEscapes[c] = new SerializedString(ASCII_ESCAPES[c]);
        }
      }
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if (ch >= 0 && ch < asciiEscapes.length) {
        return asciiEscapes[ch];
      }
      return switch (ch) {
        case '\u2028' -> lineSeparator;
        case '\u2029' -> paragraphSeparator;
        default -> null;
      };
    }
  }
}
