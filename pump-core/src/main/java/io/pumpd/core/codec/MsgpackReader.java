package io.pumpd.core.codec;

import io.pumpd.core.record.GoTime;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict cursor over one msgpack element held in a {@code byte[]}, with the leniency of Go's
 * {@code vmihailenco/msgpack} v2 decoder: nil decodes to the zero value of any type, integers may
 * come in any width, strings may come as str or bin, and a {@code time.Time} is the fixarray
 * {@code [seconds, nanos]}.
 *
 * <p>Every length read from the input is checked against the bytes that remain before anything is
 * allocated, so a corrupted header cannot cause a huge allocation; running out of input is a
 * {@link RecordDecodeException} ("truncated"), as is a value of the wrong type (naming the key path
 * and the msgpack format found). No other exception escapes for any input.
 *
 * <p>Not thread-safe; reused through {@link #reset(byte[])} (one instance per decoding thread).
 */
final class MsgpackReader {
  private static final byte[] EMPTY = new byte[0];
  private static final long GO_ZERO_SECONDS = GoTime.ZERO.getEpochSecond();
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private byte[] buf = EMPTY;
  private int pos;
  private int end;
  private int keyStart;
  private int keyLength;
  /** Estimated heap taken by what was decoded from the current element (see {@link #charge}). */
  private long heap;
  private long heapLimit = Long.MAX_VALUE;

  void reset(byte[] bytes) {
    buf = bytes;
    pos = 0;
    end = bytes.length;
    keyStart = 0;
    keyLength = 0;
    heap = 0;
  }

  /** Most heap one element may decode to; {@link Long#MAX_VALUE} for no limit. */
  void heapLimit(long bytes) {
    heapLimit = bytes;
  }

  /** The estimated heap of what was decoded since the last {@link #reset}. */
  long heap() {
    return heap;
  }

  /**
   * Counts {@code bytes} of heap about to be allocated for the element being decoded, and stops
   * decoding once the element would take more than the limit: a small element can decode to many
   * times its size (a one-byte string becomes a 48-byte Java string), so the limit is checked
   * before allocating, not after.
   *
   * @throws RecordDecodeException over the limit
   */
  void charge(long bytes, String key) throws RecordDecodeException {
    heap += bytes;
    if (heap > heapLimit) {
      throw new RecordDecodeException("element of " + end + " bytes decodes to more than "
          + heapLimit + " bytes of heap (at key " + key + "); the limit is twice "
          + "max_element_bytes");
    }
  }

  /** Estimated heap of a Java string decoded from {@code utf8Length} bytes. */
  static long stringHeap(int utf8Length) {
    return 48L + utf8Length;
  }

  /** Estimated heap of a list (or array-backed collection) of {@code n} references. */
  static long listHeap(int n) {
    return 40L + 8L * n;
  }

  /** Estimated heap of a linked hash map of {@code n} entries. */
  static long mapHeap(int n) {
    return 64L + 64L * n;
  }

  /**
   * Releases the last element so that it can be garbage-collected; {@link #heap()} still tells
   * what it decoded to.
   */
  void clear() {
    long decoded = heap;
    reset(EMPTY);
    heap = decoded;
  }

  int position() {
    return pos;
  }

  int remaining() {
    return end - pos;
  }

  /** The next byte without consuming it; -1 at the end of the input. */
  int peek() {
    return pos < end ? buf[pos] & 0xff : -1;
  }

  /** True (and consumed) when the next value is nil. */
  boolean tryNil() {
    if (pos < end && buf[pos] == (byte) 0xc0) {
      pos++;
      return true;
    }
    return false;
  }

  /** True when the next value is an array (Go's positional struct form), false otherwise. */
  boolean nextIsArray() {
    int b = peek();
    return (b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd;
  }

  /**
   * The number of entries of the struct that follows: map entries, or array elements for Go's
   * positional form (see {@link #nextIsArray()}).
   */
  int structHeader(String what) throws RecordDecodeException {
    int b = peek();
    if ((b & 0xf0) == 0x80 || b == 0xde || b == 0xdf) {
      return mapHeader(what);
    }
    if ((b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd) {
      return arrayHeader(what);
    }
    if (b < 0) {
      throw truncated(what, 1);
    }
    throw mismatch(what, "a map (struct)", pos);
  }

  /**
   * Reads a map key and returns the index of the matching field of {@code names}, or -1 for an
   * unknown key (whose value the caller then {@linkplain #skip(String) skips}).
   */
  int field(FieldNames names, int expected) throws RecordDecodeException {
    int start = pos;
    int len = rawLength(names.struct() + " key");
    if (len < 0) {
      throw mismatch(names.struct() + " key", "a string", start);
    }
    int index = names.find(buf, pos, len, expected);
    keyStart = pos;
    keyLength = len;
    pos += len;
    return index;
  }

  /** The last map key read by {@link #field}, decoded (for error messages about unknown keys). */
  String lastKey() {
    return new String(buf, keyStart, keyLength, StandardCharsets.UTF_8);
  }

  /** A Go {@code string}; nil is {@code ""}; bin is accepted as UTF-8. */
  String string(String key) throws RecordDecodeException {
    int start = pos;
    if (tryNil()) {
      return "";
    }
    int len = rawLength(key);
    if (len < 0) {
      throw mismatch(key, "a string", start);
    }
    if (len == 0) {
      return "";
    }
    charge(stringHeap(len), key);
    String s = new String(buf, pos, len, StandardCharsets.UTF_8);
    pos += len;
    return s;
  }

  /**
   * A Go integer of any width ({@code int}, {@code int64}, {@code uint}); nil is 0. A uint64 above
   * {@link Long#MAX_VALUE} wraps, as Go's conversion to {@code int64} does.
   */
  long integer(String key) throws RecordDecodeException {
    int start = pos;
    int b = next(key);
    if (b <= 0x7f) {
      return b;
    }
    if (b >= 0xe0) {
      return (byte) b;
    }
    switch (b) {
      case 0xc0:
        return 0;
      case 0xcc:
        need(1, key);
        return buf[pos++] & 0xff;
      case 0xcd:
        need(2, key);
        return u16();
      case 0xce:
        need(4, key);
        return u32();
      case 0xcf:
      case 0xd3:
        need(8, key);
        return i64();
      case 0xd0:
        need(1, key);
        return buf[pos++];
      case 0xd1:
        need(2, key);
        return (short) u16();
      case 0xd2:
        need(4, key);
        return (int) u32();
      default:
        throw mismatch(key, "an integer", start);
    }
  }

  /**
   * A Go {@code int} field held in a Java {@code int} (day, status code...); a value outside the
   * {@code int} range is an error rather than a silently wrapped number.
   */
  int int32(String key) throws RecordDecodeException {
    int start = pos;
    long v = integer(key);
    if (v != (int) v) {
      throw new RecordDecodeException(
          "key " + key + ": integer " + v + " at byte " + start + " is out of range");
    }
    return (int) v;
  }

  /** A Go {@code float64}; float32 and integers are widened; nil is 0. */
  double float64(String key) throws RecordDecodeException {
    int b = peek();
    if (b == 0xcb) {
      pos++;
      need(8, key);
      return Double.longBitsToDouble(i64());
    }
    if (b == 0xca) {
      pos++;
      need(4, key);
      return Float.intBitsToFloat((int) u32());
    }
    if (b >= 0 && !isIntegerOrNil(b)) {
      throw mismatch(key, "a float", pos);
    }
    return integer(key);
  }

  /** A Go {@code bool}; nil is false. */
  boolean bool(String key) throws RecordDecodeException {
    int start = pos;
    switch (next(key)) {
      case 0xc2:
      case 0xc0:
        return false;
      case 0xc3:
        return true;
      default:
        throw mismatch(key, "a boolean", start);
    }
  }

  /**
   * A Go {@code time.Time}: the fixarray {@code [unix_seconds, nanos]} msgpack v2 writes (the
   * nanoseconds are normalised as Go's {@code time.Unix} does), or the msgpack timestamp extension
   * (type -1) that newer encoders write; nil is Go's zero time ({@link GoTime#ZERO}).
   */
  Instant time(String key) throws RecordDecodeException {
    int start = pos;
    int b = next(key);
    long seconds;
    long nanos;
    switch (b) {
      case 0x92:
        seconds = integer(key);
        nanos = integer(key);
        break;
      case 0xc0:
        return GoTime.ZERO;
      case 0xd6: // fixext4: uint32 seconds
        need(5, key);
        timestampType(key, start);
        seconds = u32();
        nanos = 0;
        break;
      case 0xd7: // fixext8: 30-bit nanos, 34-bit seconds
        need(9, key);
        timestampType(key, start);
        long packed = i64();
        nanos = packed >>> 34;
        seconds = packed & 0x3_ffff_ffffL;
        break;
      case 0xc7: // ext8 of 12 bytes: uint32 nanos, int64 seconds
        need(2, key);
        int len = buf[pos++] & 0xff;
        if (len != 12) {
          throw new RecordDecodeException(
              "key " + key + ": ext8 of " + len + " bytes at byte " + start + " is not a timestamp");
        }
        need(13, key);
        timestampType(key, start);
        nanos = u32();
        seconds = i64();
        break;
      default:
        pos = start;
        if (!nextIsArray()) {
          throw mismatch(key, "a time [seconds, nanos]", start);
        }
        int n = arrayHeader(key); // Go writes the fixarray 0x92; a wider header of 2 is as clear
        if (n != 2) {
          throw new RecordDecodeException(
              "key " + key + ": a time must be [seconds, nanos], found an array of " + n
                  + " at byte " + start);
        }
        seconds = integer(key);
        nanos = integer(key);
        break;
    }
    if (seconds == GO_ZERO_SECONDS && nanos == 0) {
      return GoTime.ZERO;
    }
    try {
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (DateTimeException | ArithmeticException e) {
      throw new RecordDecodeException(
          "key " + key + ": time [" + seconds + ", " + nanos + "] at byte " + start
              + " is out of range", e);
    }
  }

  /** A Go {@code []string}; nil is {@code null}. */
  List<String> stringList(String key) throws RecordDecodeException {
    if (tryNil()) {
      return null;
    }
    int n = arrayHeader(key);
    charge(listHeap(n), key);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(string(key));
    }
    return out;
  }

  /** A Go {@code map[string]string}, in wire order; nil is {@code null}. */
  Map<String, String> stringMap(String key) throws RecordDecodeException {
    if (tryNil()) {
      return null;
    }
    int n = mapHeader(key);
    charge(mapHeap(n), key);
    Map<String, String> out = new LinkedHashMap<>(capacity(n));
    for (int i = 0; i < n; i++) {
      String k = string(key);
      out.put(k, string(key));
    }
    return out;
  }

  /** {@link java.util.HashMap} capacity that holds {@code n} entries without rehashing. */
  static int capacity(int n) {
    return n < 3 ? 4 : (int) Math.min(1 << 30, n * 4L / 3 + 1);
  }

  /**
   * A Go {@code interface{}} scalar: a {@link String}, an integer as {@link Long} (a uint64 above
   * {@link Long#MAX_VALUE} as {@link BigInteger}), a {@link Double}, a {@link Boolean} or
   * {@code null}.
   */
  Object scalar(String key) throws RecordDecodeException {
    int start = pos;
    int b = peek();
    if (b < 0) {
      throw truncated(key, 1);
    }
    if (b == 0xcf) {
      pos++;
      need(8, key);
      long v = i64();
      return v >= 0 ? (Object) v : BigInteger.valueOf(v).add(TWO_64);
    }
    if (isIntegerOrNil(b)) {
      return b == 0xc0 ? null : (Object) integer(key);
    }
    if ((b & 0xe0) == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb
        || b == 0xc4 || b == 0xc5 || b == 0xc6) {
      return string(key);
    }
    switch (b) {
      case 0xc2:
      case 0xc3:
        return bool(key);
      case 0xca:
      case 0xcb:
        return float64(key);
      default:
        throw mismatch(key, "a string or a number", start);
    }
  }

  private static boolean isIntegerOrNil(int b) {
    return b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3) || b == 0xc0;
  }

  /** An array header; the length is checked against the remaining input. */
  int arrayHeader(String key) throws RecordDecodeException {
    int start = pos;
    int b = next(key);
    long n;
    if ((b & 0xf0) == 0x90) {
      n = b & 0x0f;
    } else if (b == 0xdc) {
      need(2, key);
      n = u16();
    } else if (b == 0xdd) {
      need(4, key);
      n = u32();
    } else {
      throw mismatch(key, "an array", start);
    }
    if (n > end - pos) { // every element takes at least one byte
      throw new RecordDecodeException(
          "truncated: key " + key + ": array of " + n + " elements at byte " + start
              + " but only " + (end - pos) + " bytes left");
    }
    return (int) n;
  }

  /** A map header; the entry count is checked against the remaining input. */
  int mapHeader(String key) throws RecordDecodeException {
    int start = pos;
    int b = next(key);
    long n;
    if ((b & 0xf0) == 0x80) {
      n = b & 0x0f;
    } else if (b == 0xde) {
      need(2, key);
      n = u16();
    } else if (b == 0xdf) {
      need(4, key);
      n = u32();
    } else {
      throw mismatch(key, "a map", start);
    }
    if (2 * n > end - pos) { // every entry takes at least two bytes
      throw new RecordDecodeException(
          "truncated: key " + key + ": map of " + n + " entries at byte " + start
              + " but only " + (end - pos) + " bytes left");
    }
    return (int) n;
  }

  /** Skips one complete value of any type (iteratively: nesting depth costs no stack). */
  void skip(String key) throws RecordDecodeException {
    long pending = 1;
    while (pending > 0) {
      pending--;
      int start = pos;
      int b = next(key);
      if (b <= 0x7f || b >= 0xe0) {
        continue;
      }
      if (b <= 0x8f) {
        pending += 2L * (b & 0x0f);
      } else if (b <= 0x9f) {
        pending += b & 0x0f;
      } else if (b <= 0xbf) {
        advance(b & 0x1f, key);
      } else {
        switch (b) {
          case 0xc0, 0xc2, 0xc3 -> { }
          case 0xc4, 0xd9 -> advance(lengthField(1, key), key);
          case 0xc5, 0xda -> advance(lengthField(2, key), key);
          case 0xc6, 0xdb -> advance(lengthField(4, key), key);
          case 0xc7 -> advance(lengthField(1, key) + 1, key);
          case 0xc8 -> advance(lengthField(2, key) + 1, key);
          case 0xc9 -> advance(lengthField(4, key) + 1, key);
          case 0xcc, 0xd0 -> advance(1, key);
          case 0xcd, 0xd1, 0xd4 -> advance(2, key);
          case 0xd5 -> advance(3, key);
          case 0xca, 0xce, 0xd2 -> advance(4, key);
          case 0xd6 -> advance(5, key);
          case 0xcb, 0xcf, 0xd3 -> advance(8, key);
          case 0xd7 -> advance(9, key);
          case 0xd8 -> advance(17, key);
          case 0xdc -> pending += lengthField(2, key);
          case 0xdd -> pending += lengthField(4, key);
          case 0xde -> pending += 2 * lengthField(2, key);
          case 0xdf -> pending += 2 * lengthField(4, key);
          default -> throw mismatch(key, "a msgpack value", start); // 0xc1 is never used
        }
      }
      if (pending > end - pos) {
        throw new RecordDecodeException(
            "truncated: key " + key + ": " + pending + " more values expected at byte " + pos
                + " but only " + (end - pos) + " bytes left");
      }
    }
  }

  /**
   * The length of the str or bin value that follows, with its header consumed and its payload
   * checked to be present; -1 (nothing consumed) when the next value is neither.
   */
  private int rawLength(String key) throws RecordDecodeException {
    int b = peek();
    long len;
    if ((b & 0xe0) == 0xa0) {
      pos++;
      len = b & 0x1f;
    } else if (b == 0xd9 || b == 0xc4) {
      pos++;
      len = lengthField(1, key);
    } else if (b == 0xda || b == 0xc5) {
      pos++;
      len = lengthField(2, key);
    } else if (b == 0xdb || b == 0xc6) {
      pos++;
      len = lengthField(4, key);
    } else if (b < 0) {
      throw truncated(key, 1);
    } else {
      return -1;
    }
    need(len, key);
    return (int) len;
  }

  private long lengthField(int width, String key) throws RecordDecodeException {
    need(width, key);
    switch (width) {
      case 1:
        return buf[pos++] & 0xff;
      case 2:
        return u16();
      default:
        return u32();
    }
  }

  private void timestampType(String key, int start) throws RecordDecodeException {
    byte type = buf[pos++];
    if (type != -1) {
      throw new RecordDecodeException(
          "key " + key + ": msgpack extension type " + type + " at byte " + start
              + " is not a timestamp (-1)");
    }
  }

  private int next(String key) throws RecordDecodeException {
    if (pos >= end) {
      throw truncated(key, 1);
    }
    return buf[pos++] & 0xff;
  }

  private void advance(long n, String key) throws RecordDecodeException {
    need(n, key);
    pos += (int) n;
  }

  private void need(long n, String key) throws RecordDecodeException {
    if (n > end - pos) {
      throw truncated(key, n);
    }
  }

  private RecordDecodeException truncated(String key, long needed) {
    return new RecordDecodeException(
        "truncated: key " + key + " needs " + needed + " bytes at byte " + pos + " but only "
            + (end - pos) + " are left");
  }

  private int u16() {
    int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  private long u32() {
    long v =
        ((long) (buf[pos] & 0xff) << 24)
            | ((buf[pos + 1] & 0xff) << 16)
            | ((buf[pos + 2] & 0xff) << 8)
            | (buf[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  private long i64() {
    long hi = u32();
    return (hi << 32) | u32();
  }

  /** The error for a value of the wrong kind at {@code start}; the cursor is left there. */
  private RecordDecodeException mismatch(String key, String expected, int start) {
    pos = start;
    int b = start < end ? buf[start] & 0xff : -1;
    return new RecordDecodeException(
        "key " + key + ": expected " + expected + ", found msgpack " + formatName(b)
            + String.format(" (0x%02x)", b) + " at byte " + start);
  }

  /** The msgpack format name of a leading byte, for error messages. */
  static String formatName(int b) {
    if (b < 0) {
      return "end of input";
    }
    if (b <= 0x7f) {
      return "positive fixint";
    }
    if (b <= 0x8f) {
      return "fixmap";
    }
    if (b <= 0x9f) {
      return "fixarray";
    }
    if (b <= 0xbf) {
      return "fixstr";
    }
    if (b >= 0xe0) {
      return "negative fixint";
    }
    return switch (b) {
      case 0xc0 -> "nil";
      case 0xc1 -> "never-used byte";
      case 0xc2, 0xc3 -> "bool";
      case 0xc4 -> "bin8";
      case 0xc5 -> "bin16";
      case 0xc6 -> "bin32";
      case 0xc7 -> "ext8";
      case 0xc8 -> "ext16";
      case 0xc9 -> "ext32";
      case 0xca -> "float32";
      case 0xcb -> "float64";
      case 0xcc -> "uint8";
      case 0xcd -> "uint16";
      case 0xce -> "uint32";
      case 0xcf -> "uint64";
      case 0xd0 -> "int8";
      case 0xd1 -> "int16";
      case 0xd2 -> "int32";
      case 0xd3 -> "int64";
      case 0xd4 -> "fixext1";
      case 0xd5 -> "fixext2";
      case 0xd6 -> "fixext4";
      case 0xd7 -> "fixext8";
      case 0xd8 -> "fixext16";
      case 0xd9 -> "str8";
      case 0xda -> "str16";
      case 0xdb -> "str32";
      case 0xdc -> "array16";
      case 0xdd -> "array32";
      case 0xde -> "map16";
      default -> "map32";
    };
  }
}
