package io.pumpd.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses env values the way Tyk Pump's envconfig does with Go's {@code strconv}: booleans as {@code
 * strconv.ParseBool}, integers as {@code strconv.ParseInt(s, 0, bits)} (so {@code 0x1F}, {@code
 * 0o17}, {@code 0b101}, {@code 1_000} and the C-style octal {@code 017} work as in Go), lists as
 * comma-separated values, maps as {@code k1:v1,k2:v2}. Stateless.
 *
 * <p>Deliberate leniency: list elements and map keys/values are trimmed of surrounding spaces
 * (Go keeps them, which never helps); a map item is split at its first {@code :}.
 */
final class GoValues {

  private GoValues() {}

  /** Go's {@code strconv.ParseBool}. */
  static boolean parseBool(String s) {
    return switch (s) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw new IllegalArgumentException("is not a boolean (use true or false)");
    };
  }

  /**
   * Go's {@code strconv.ParseInt(s, 0, bits)}.
   *
   * @param bits 32 or 64: the range of the target field
   */
  static long parseInt(String s, int bits) {
    String digits = s;
    boolean negative = false;
    if (digits.startsWith("+") || digits.startsWith("-")) {
      negative = digits.charAt(0) == '-';
      digits = digits.substring(1);
    }
    int base = 10;
    String lower = digits.toLowerCase(Locale.ROOT);
    if (lower.startsWith("0x")) {
      base = 16;
      digits = digits.substring(2);
    } else if (lower.startsWith("0o")) {
      base = 8;
      digits = digits.substring(2);
    } else if (lower.startsWith("0b")) {
      base = 2;
      digits = digits.substring(2);
    } else if (digits.length() > 1 && digits.charAt(0) == '0') {
      base = 8;
      digits = digits.substring(1);
    }
    if (digits.contains("_")) {
      boolean prefixed = digits.length() != s.replaceFirst("^[+-]", "").length();
      if (!underscoresOk(digits, prefixed)) {
        throw new IllegalArgumentException("is not an integer");
      }
      digits = digits.replace("_", "");
    }
    if (digits.isEmpty() || digits.startsWith("+") || digits.startsWith("-")) {
      throw new IllegalArgumentException("is not an integer");
    }
    long value;
    try {
      value = Long.parseLong((negative ? "-" : "") + digits, base);
    } catch (NumberFormatException e) {
      int radix = base;
      if (digits.chars().allMatch(c -> Character.digit(c, radix) >= 0)) {
        throw new IllegalArgumentException("is out of range", e);
      }
      throw new IllegalArgumentException("is not an integer", e);
    }
    if (bits == 32 && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("is out of range (at most " + Integer.MAX_VALUE + ")");
    }
    return value;
  }

  /** Go's {@code strconv.ParseFloat(s, 64)} for the forms people write. */
  static double parseFloat(String s) {
    try {
      double d = Double.parseDouble(s.replace("_", ""));
      if (s.isBlank() || s.endsWith("d") || s.endsWith("D") || s.endsWith("f") || s.endsWith("F")) {
        throw new NumberFormatException(s);
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("is not a number", e);
    }
  }

  /** envconfig's slice form: comma-separated; an empty or blank value is an empty list. */
  static List<String> splitList(String s) {
    List<String> out = new ArrayList<>();
    if (s.isBlank()) {
      return out;
    }
    for (String item : s.split(",", -1)) {
      out.add(item.trim());
    }
    return out;
  }

  /** envconfig's map form {@code k1:v1,k2:v2}; an empty or blank value is an empty map. */
  static Map<String, String> splitMap(String s) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String item : splitList(s)) {
      int colon = item.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("is not a key:value list (item without ':')");
      }
      out.put(item.substring(0, colon).trim(), item.substring(colon + 1).trim());
    }
    return out;
  }

  /** Go's rule: underscores must separate digits, or a base prefix from a digit. */
  private static boolean underscoresOk(String digits, boolean prefixed) {
    if (digits.endsWith("_") || digits.contains("__")) {
      return false;
    }
    return prefixed || !digits.startsWith("_");
  }
}
