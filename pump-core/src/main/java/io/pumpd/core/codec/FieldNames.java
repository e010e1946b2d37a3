package io.pumpd.core.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Go field names of one struct, in declaration order, matched against the raw UTF-8 bytes of
 * a msgpack map key without allocating a {@code String}. Keys match exactly and case-sensitively,
 * as in {@code vmihailenco/msgpack}.
 *
 * <p>Immutable and thread-safe.
 */
final class FieldNames {
  private final String struct;
  private final String prefix;
  private final String[] names;
  private final String[] qualified;
  private final byte[][] utf8;
  private final int positional;

  /**
   * @param struct the struct's name, used in error messages ({@code Geo.City})
   * @param prefix what key paths start with: {@code "Geo.City."}, or {@code ""} for a top-level
   *     record
   * @param positional how many leading fields Go's positional (array) struct form carries
   * @param names the field names in declaration order
   */
  FieldNames(String struct, String prefix, int positional, String... names) {
    this.struct = struct;
    this.prefix = prefix;
    this.names = names.clone();
    this.positional = positional;
    this.utf8 = new byte[names.length][];
    this.qualified = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      utf8[i] = names[i].getBytes(StandardCharsets.UTF_8);
      qualified[i] = prefix + names[i];
    }
  }

  /** A nested struct: key paths are {@code struct.Field}. */
  FieldNames(String struct, String... names) {
    this(struct, struct + ".", names.length, names);
  }

  /** The struct's name for error messages. */
  String struct() {
    return struct;
  }

  /** {@code Struct.Field}, the key path used in error messages. */
  String qualified(int index) {
    return qualified[index];
  }

  String name(int index) {
    return names[index];
  }

  /** The key path of an unknown key {@code key} of this struct, for error messages. */
  String unknown(String key) {
    return prefix + key;
  }

  /** The key path of element {@code i} of the positional form beyond the known fields. */
  String unknownPosition(int i) {
    return struct + "[" + i + "]";
  }

  /** The field at position {@code i} of the positional (array) form, or -1 beyond the known fields. */
  int positional(int i) {
    return i < positional ? i : -1;
  }

  /**
   * The index of the field whose name is {@code buf[off, off + len)}, or -1 for an unknown key.
   * {@code expected} (the field after the previous one) is tried first: gateways write fields in
   * declaration order, so one comparison usually suffices.
   */
  int find(byte[] buf, int off, int len, int expected) {
    if (expected >= 0 && expected < utf8.length && matches(utf8[expected], buf, off, len)) {
      return expected;
    }
    for (int i = 0; i < utf8.length; i++) {
      if (matches(utf8[i], buf, off, len)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean matches(byte[] name, byte[] buf, int off, int len) {
    return name.length == len && Arrays.equals(name, 0, len, buf, off, off + len);
  }
}
