package io.pumpd.sinks.elasticsearch;

import io.pumpd.core.record.AnalyticsRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Deterministic document ids for {@code generate_id}: the same record always gets the same {@code
 * _id}, so a replayed record overwrites its earlier copy instead of duplicating it.
 *
 * <p>The hashed text is what Tyk Pump hashes ({@code pumps/elasticsearch.go}, Go {@code
 * fmt.Sprintf("%d%s%s%s%s%s%d%s", ...)}): the decimal {@code TimeStamp.UnixNano()}, then {@code
 * Method}, {@code Path}, {@code IPAddress}, {@code APIID}, {@code OauthID}, decimal {@code
 * RequestTime} and {@code Alias}, UTF-8, no separators. The hash is MurmurHash3 x64 128-bit with
 * seed 0, of which {@code murmur3.New64()} keeps the first 64-bit half ({@code h1}) and {@code
 * Sum(nil)} writes it big-endian. Tyk uses those 8 raw bytes as the id (a binary string); we render
 * the same 8 bytes as 16 lower-case hex digits. So {@code hex(tyk_id) == our_id}.
 *
 * <p>Stateless, thread-safe.
 */
public final class DocumentIds {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private DocumentIds() {}

  /** The id of {@code r}: 16 hex digits. */
  public static String idFor(AnalyticsRecord r) {
    String text =
        unixNano(r.getTimeStamp())
            + r.getMethod()
            + r.getPath()
            + r.getIpAddress()
            + r.getApiId()
            + r.getOauthId()
            + r.getRequestTime()
            + r.getAlias();
    return hex(murmur3x64First64(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Go's {@code t.UnixNano()}: seconds times 10^9 plus nanos, in wrapping 64-bit arithmetic (Go
   * computes it the same way, so out-of-range times such as the zero time give the same number).
   */
  static long unixNano(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** {@code v} as 16 lower-case hex digits, most significant first. */
  static String hex(long v) {
    char[] out = new char[16];
    for (int i = 15; i >= 0; i--) {
      out[i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
    return new String(out);
  }

  /** The first 64 bits ({@code h1}) of MurmurHash3_x64_128 with seed 0. */
  static long murmur3x64First64(byte[] data) {
    long h1 = 0;
    long h2 = 0;
    int len = data.length;
    int blocks = len / 16;
    for (int i = 0; i < blocks; i++) {
      int o = i * 16;
      long k1 = littleEndianLong(data, o);
      long k2 = littleEndianLong(data, o + 8);

      k1 *= C1;
      k1 = Long.rotateLeft(k1, 31);
      k1 *= C2;
      h1 ^= k1;
      h1 = Long.rotateLeft(h1, 27);
      h1 += h2;
      h1 = h1 * 5 + 0x52dce729;

      k2 *= C2;
      k2 = Long.rotateLeft(k2, 33);
      k2 *= C1;
      h2 ^= k2;
      h2 = Long.rotateLeft(h2, 31);
      h2 += h1;
      h2 = h2 * 5 + 0x38495ab5;
    }

    int tail = blocks * 16;
    long k1 = 0;
    long k2 = 0;
    switch (len & 15) {
      case 15: k2 ^= (long) (data[tail + 14] & 0xff) << 48; // fall through
      case 14: k2 ^= (long) (data[tail + 13] & 0xff) << 40; // fall through
      case 13: k2 ^= (long) (data[tail + 12] & 0xff) << 32; // fall through
      case 12: k2 ^= (long) (data[tail + 11] & 0xff) << 24; // fall through
      case 11: k2 ^= (long) (data[tail + 10] & 0xff) << 16; // fall through
      case 10: k2 ^= (long) (data[tail + 9] & 0xff) << 8; // fall through
      case 9:
        k2 ^= data[tail + 8] & 0xff;
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        k2 *= C1;
        h2 ^= k2;
        // fall through
      case 8: k1 ^= (long) (data[tail + 7] & 0xff) << 56; // fall through
      case 7: k1 ^= (long) (data[tail + 6] & 0xff) << 48; // fall through
      case 6: k1 ^= (long) (data[tail + 5] & 0xff) << 40; // fall through
      case 5: k1 ^= (long) (data[tail + 4] & 0xff) << 32; // fall through
      case 4: k1 ^= (long) (data[tail + 3] & 0xff) << 24; // fall through
      case 3: k1 ^= (long) (data[tail + 2] & 0xff) << 16; // fall through
      case 2: k1 ^= (long) (data[tail + 1] & 0xff) << 8; // fall through
      case 1:
        k1 ^= data[tail] & 0xff;
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        k1 *= C2;
        h1 ^= k1;
        break;
      default:
        break;
    }

    h1 ^= len;
    h2 ^= len;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    return h1;
  }

  private static long littleEndianLong(byte[] b, int o) {
    return (b[o] & 0xffL)
        | (b[o + 1] & 0xffL) << 8
        | (b[o + 2] & 0xffL) << 16
        | (b[o + 3] & 0xffL) << 24
        | (b[o + 4] & 0xffL) << 32
        | (b[o + 5] & 0xffL) << 40
        | (b[o + 6] & 0xffL) << 48
        | (b[o + 7] & 0xffL) << 56;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
