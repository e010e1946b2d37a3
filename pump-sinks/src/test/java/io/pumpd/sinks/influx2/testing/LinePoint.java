package io.pumpd.sinks.influx2.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One InfluxDB line-protocol line, parsed strictly ({@link #parse}). Field values are {@link Long}
 * ({@code 12i}), {@link Double}, {@link String} or {@link Boolean}. Immutable.
 *
 * @param measurement the measurement, unescaped
 * @param tags tag keys to values, unescaped, in line order
 * @param fields field keys to typed values, in line order
 * @param timestamp the timestamp as written (in the request's precision), or {@code null}
 */
public record LinePoint(
    String measurement, Map<String, String> tags, Map<String, Object> fields, Long timestamp) {

  public LinePoint {
    tags = Map.copyOf(tags);
    fields = Map.copyOf(fields);
  }

  /**
   * Parses one line: {@code measurement[,tag=value...] field=value[,field=value...] [timestamp]},
   * with backslash escapes for {@code , = space} in names and tag values and for {@code " \} in
   * string fields.
   *
   * @throws IllegalArgumentException the line is not valid line protocol, with the reason
   */
  public static LinePoint parse(String line) {
    Cursor c = new Cursor(line);
    String measurement = c.token(",  ".toCharArray(), false);
    if (measurement.isEmpty()) {
      throw new IllegalArgumentException("empty measurement");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    while (c.peek() == ',') {
      c.next();
      String key = c.token("=".toCharArray(), true);
      c.expect('=');
      String value = c.token(", ".toCharArray(), false);
      if (key.isEmpty() || value.isEmpty()) {
        throw new IllegalArgumentException("empty tag key or value at " + c.pos);
      }
      if (tags.put(key, value) != null) {
        throw new IllegalArgumentException("repeated tag " + key);
      }
    }
    c.expect(' ');
    Map<String, Object> fields = new LinkedHashMap<>();
    do {
      if (!fields.isEmpty()) {
        c.expect(',');
      }
      String key = c.token("=".toCharArray(), true);
      c.expect('=');
      if (key.isEmpty()) {
        throw new IllegalArgumentException("empty field key at " + c.pos);
      }
      if (fields.put(key, c.fieldValue()) != null) {
        throw new IllegalArgumentException("repeated field " + key);
      }
    } while (c.peek() == ',');
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("no fields");
    }
    Long ts = null;
    if (c.peek() == ' ') {
      c.next();
      String t = c.rest();
      try {
        ts = Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad timestamp '" + t + "'");
      }
    } else if (!c.atEnd()) {
      throw new IllegalArgumentException("unexpected '" + c.rest() + "' after the fields");
    }
    return new LinePoint(measurement, tags, fields, ts);
  }

  private static final class Cursor {
    private final String s;
    private int pos;

    Cursor(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return pos >= s.length();
    }

    char peek() {
      return atEnd() ? '\0' : s.charAt(pos);
    }

    char next() {
      return s.charAt(pos++);
    }

    void expect(char ch) {
      if (peek() != ch) {
        throw new IllegalArgumentException("expected '" + ch + "' at " + pos + " in: " + s);
      }
      pos++;
    }

    String rest() {
      String r = s.substring(pos);
      pos = s.length();
      return r;
    }

    /** Reads up to an unescaped stop character; {@code \x} yields {@code x} for , = and space. */
    String token(char[] stops, boolean keyContext) {
      StringBuilder sb = new StringBuilder();
      while (!atEnd()) {
        char ch = peek();
        if (ch == '\\' && pos + 1 < s.length()) {
          char esc = s.charAt(pos + 1);
          if (esc == ',' || esc == '=' || esc == ' ') {
            sb.append(esc);
            pos += 2;
            continue;
          }
        }
        for (char stop : stops) {
          if (ch == stop) {
            return sb.toString();
          }
        }
        if (ch == '\n') {
          throw new IllegalArgumentException("newline inside a line");
        }
        if (keyContext && ch == ' ') {
          throw new IllegalArgumentException("unescaped space in a key at " + pos + " in: " + s);
        }
        sb.append(ch);
        pos++;
      }
      return sb.toString();
    }

    Object fieldValue() {
      if (peek() == '"') {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
          if (atEnd()) {
            throw new IllegalArgumentException("unterminated string field");
          }
          char ch = next();
          if (ch == '\\' && (peek() == '"' || peek() == '\\')) {
            sb.append(next());
          } else if (ch == '"') {
            return sb.toString();
          } else {
            sb.append(ch);
          }
        }
      }
      int start = pos;
      while (!atEnd() && peek() != ',' && peek() != ' ') {
        pos++;
      }
      String v = s.substring(start, pos);
      if (v.matches("-?[0-9]+i")) {
        return Long.parseLong(v.substring(0, v.length() - 1));
      }
      if (v.matches("[0-9]+u")) {
        return Long.parseUnsignedLong(v.substring(0, v.length() - 1));
      }
      if (v.matches("t|T|true|True|TRUE")) {
        return true;
      }
      if (v.matches("f|F|false|False|FALSE")) {
        return false;
      }
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad field value '" + v + "'");
      }
    }
  }
}
