package io.pumpd.app.hostile;

import io.pumpd.core.codec.MsgpackRecordEncoder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Gateway elements an attacker or an unlucky gateway could push, built from a real fixture record
 * re-encoded the way the gateway encodes it: good records with a unique key to find them by,
 * records with a huge value, records whose small values decode to many times their size.
 */
final class HostileElements {
  private static final MsgpackRecordEncoder ENCODER = new MsgpackRecordEncoder();

  private HostileElements() {}

  /** A real record (a copy of fixture {@code i % 1000}). */
  static AnalyticsRecord record(int i) {
    return Fixtures.records(Fixtures.MODERN).get(i % 1000);
  }

  /** {@code n} good elements with the api keys {@code <prefix>-0 .. <prefix>-<n-1>}. */
  static List<byte[]> good(String prefix, int n) {
    return good(prefix, n, null);
  }

  /** As {@link #good(String, int)}, every record timed {@code at} (null: the fixture's time). */
  static List<byte[]> good(String prefix, int n, Instant at) {
    List<AnalyticsRecord> fixture = Fixtures.records(Fixtures.MODERN);
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      AnalyticsRecord r = fixture.get(i % fixture.size()).setApiKey(prefix + "-" + i);
      out.add(ENCODER.encode(at == null ? r : r.setTimeStamp(at)));
    }
    return out;
  }

  /** {@code n} elements that are not msgpack records at all. */
  static List<byte[]> garbage(String prefix, int n) {
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add((prefix + "-" + i + " is not a record").getBytes(StandardCharsets.US_ASCII));
    }
    return out;
  }

  /** A valid element whose {@code RawRequest} holds {@code bytes} characters. */
  static byte[] hugeRawRequest(String key, int bytes) {
    char[] body = new char[bytes];
    Arrays.fill(body, 'A');
    return ENCODER.encode(record(1).setApiKey(key).setRawRequest(new String(body)));
  }

  /** A valid element with an extra key (Go skips unknown keys) whose value is a huge string. */
  static byte[] hugeUnknownString(String key, int bytes) {
    byte[] record = ENCODER.encode(record(2).setApiKey(key));
    // the encoder writes a map16 header: 0xde, then the entry count
    if ((record[0] & 0xff) != 0xde) {
      throw new IllegalStateException("expected a map16 header");
    }
    int count = ((record[1] & 0xff) << 8 | (record[2] & 0xff)) + 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream(record.length + bytes + 16);
    out.write(0xde);
    out.write(count >> 8);
    out.write(count & 0xff);
    out.write(record, 3, record.length - 3);
    byte[] name = "Junk".getBytes(StandardCharsets.US_ASCII);
    out.write(0xa0 | name.length);
    out.write(name, 0, name.length);
    out.write(0xdb); // str32
    out.write(bytes >>> 24);
    out.write(bytes >>> 16);
    out.write(bytes >>> 8);
    out.write(bytes);
    byte[] value = new byte[bytes];
    Arrays.fill(value, (byte) 'x');
    out.write(value, 0, value.length);
    return out.toByteArray();
  }

  /**
   * A valid element whose {@code Tags} are {@code count} one-character strings: two bytes each
   * on the wire, some fifty on the heap once decoded.
   */
  static byte[] oneCharTags(String key, int count) {
    return ENCODER.encode(record(3).setApiKey(key).setTags(Collections.nCopies(count, "a")));
  }
}
