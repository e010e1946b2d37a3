package io.pumpd.sinks.dogstatsd.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One DogStatsD metric line, parsed strictly:
 * {@code <name>:<value>|<type>[|@<rate>][|#<tag>[,<tag>...]][|c:<container-id>][|T<unix-seconds>]}
 * ({@code reference/test-backends.md} §6.2). Immutable.
 *
 * @param name metric name, including the namespace
 * @param value the value as written
 * @param type {@code c}, {@code g}, {@code ms}, {@code h}, {@code d} or {@code s}
 * @param sampleRate the {@code @rate} section, or {@code null} when absent
 * @param tags tags in wire order ({@code key:value} or a bare {@code key})
 * @param containerId the {@code c:} section, or {@code null}
 * @param timestamp the {@code T} section, or {@code null}
 * @param raw the line as received
 */
public record DogStatsdLine(
    String name,
    String value,
    String type,
    Double sampleRate,
    List<String> tags,
    String containerId,
    Long timestamp,
    String raw) {

  private static final Set<String> TYPES = Set.of("c", "g", "ms", "h", "d", "s");

  public DogStatsdLine {
    tags = List.copyOf(tags);
  }

  /** The value as a number (not for sets). */
  public double numericValue() {
    return Double.parseDouble(value);
  }

  /**
   * Parses one line (without its {@code \n}).
   *
   * @throws IllegalArgumentException anything not a well-formed metric line, with the reason
   */
  public static DogStatsdLine parse(String line) {
    if (line.startsWith("_e{")) {
      throw new IllegalArgumentException("an event, not a metric");
    }
    if (line.startsWith("_sc|")) {
      throw new IllegalArgumentException("a service check, not a metric");
    }
    String[] sections = line.split("\\|", -1);
    if (sections.length < 2) {
      throw new IllegalArgumentException("no |type section");
    }
    int colon = sections[0].indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("empty name or no ':' before the value");
    }
    String name = sections[0].substring(0, colon);
    String value = sections[0].substring(colon + 1);
    String type = sections[1];
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("unknown type '" + type + "'");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("empty value");
    }
    if (!type.equals("s")) {
      try {
        Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("non-numeric value '" + value + "'");
      }
    }
    Double rate = null;
    List<String> tags = new ArrayList<>();
    String container = null;
    Long ts = null;
    Set<Character> seen = new HashSet<>();
    for (int i = 2; i < sections.length; i++) {
      String s = sections[i];
      if (s.isEmpty()) {
        throw new IllegalArgumentException("empty section");
      }
      char kind = s.startsWith("c:") ? 'c' : s.charAt(0);
      if (!seen.add(kind)) {
        throw new IllegalArgumentException("repeated section '" + kind + "'");
      }
      switch (kind) {
        case '@' -> {
          try {
            rate = Double.parseDouble(s.substring(1));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad sample rate '" + s + "'");
          }
          if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("sample rate out of (0, 1]: " + s);
          }
        }
        case '#' -> {
          for (String tag : s.substring(1).split(",", -1)) {
            if (tag.isEmpty() || tag.startsWith(":")) {
              throw new IllegalArgumentException("empty tag or tag key in '" + s + "'");
            }
            tags.add(tag);
          }
        }
        case 'c' -> container = s.substring(2);
        case 'T' -> {
          try {
            ts = Long.parseLong(s.substring(1));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad timestamp '" + s + "'");
          }
        }
        default -> throw new IllegalArgumentException("unknown section '" + s + "'");
      }
    }
    return new DogStatsdLine(name, value, type, rate, tags, container, ts, line);
  }
}
