package io.pumpd.core.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes msgpack into a growing byte array, each value in its shortest format, as msgpack-java's
 * packer and Go's {@code vmihailenco/msgpack} write them: integers as positive or negative fixint,
 * else the narrowest {@code uint}/{@code int} of 8, 16, 32 or 64 bits (unsigned for non-negative
 * values); strings as fixstr, str 8, str 16 or str 32 of their UTF-8 bytes (a lone surrogate
 * becomes {@code ?}, as {@link String#getBytes} writes it); maps and arrays with fix, 16- or
 * 32-bit headers; doubles as float 64. The counterpart of {@link MsgpackReader}.
 *
 * <p>Not thread-safe: one writer per value being encoded.
 */
final class MsgpackWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

  /** The bytes written so far. */
  byte[] toByteArray() {
    return out.toByteArray();
  }

  /** nil. */
  MsgpackWriter nil() {
    out.write(0xc0);
    return this;
  }

  /** true or false. */
  MsgpackWriter bool(boolean b) {
    out.write(b ? 0xc3 : 0xc2);
    return this;
  }

  /** An integer in its shortest format. */
  MsgpackWriter integer(long v) {
    if (v >= -32 && v < 128) {
      out.write((int) v);
    } else if (v >= 0) {
      if (v < 1 << 8) {
        header(0xcc, v, 1);
      } else if (v < 1 << 16) {
        header(0xcd, v, 2);
      } else if (v < 1L << 32) {
        header(0xce, v, 4);
      } else {
        header(0xcf, v, 8);
      }
    } else if (v >= -(1 << 7)) {
      header(0xd0, v, 1);
    } else if (v >= -(1 << 15)) {
      header(0xd1, v, 2);
    } else if (v >= -(1L << 31)) {
      header(0xd2, v, 4);
    } else {
      header(0xd3, v, 8);
    }
    return this;
  }

  /** A float 64. */
  MsgpackWriter float64(double d) {
    header(0xcb, Double.doubleToRawLongBits(d), 8);
    return this;
  }

  /** A string, as its UTF-8 bytes. */
  MsgpackWriter string(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    int n = utf8.length;
    if (n < 32) {
      out.write(0xa0 | n);
    } else if (n < 1 << 8) {
      header(0xd9, n, 1);
    } else if (n < 1 << 16) {
      header(0xda, n, 2);
    } else {
      header(0xdb, n, 4);
    }
    out.write(utf8, 0, n);
    return this;
  }

  /** The header of a map of {@code n} key/value pairs; the pairs follow. */
  MsgpackWriter mapHeader(int n) {
    return collectionHeader(n, 0x80, 0xde, 0xdf);
  }

  /** The header of an array of {@code n} values; the values follow. */
  MsgpackWriter arrayHeader(int n) {
    return collectionHeader(n, 0x90, 0xdc, 0xdd);
  }

  private MsgpackWriter collectionHeader(int n, int fix, int format16, int format32) {
    if (n < 0) {
      throw new IllegalArgumentException("negative size " + n);
    }
    if (n < 16) {
      out.write(fix | n);
    } else if (n < 1 << 16) {
      header(format16, n, 2);
    } else {
      header(format32, n, 4);
    }
    return this;
  }

  /** The format byte, then the low {@code bytes} bytes of {@code v}, big-endian. */
  private void header(int format, long v, int bytes) {
    out.write(format);
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
      out.write((int) (v >>> shift));
    }
  }
}
