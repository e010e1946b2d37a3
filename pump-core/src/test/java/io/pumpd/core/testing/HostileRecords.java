package io.pumpd.core.testing;

import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.codec.MsgpackRecordEncoder;
import io.pumpd.core.codec.RecordDecodeException;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GeoData;
import io.pumpd.core.record.GraphQLStats;
import io.pumpd.core.record.Latency;
import io.pumpd.core.record.NetworkStats;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records that are valid on the wire but extreme: what a buggy or hostile gateway can make the
 * daemon decode. Each one is built, encoded as the gateway encodes it ({@link
 * MsgpackRecordEncoder}) and decoded again, so it is exactly what the pump's sinks receive.
 */
public final class HostileRecords {
  /** The latest time a record can hold: year 1,000,000,000 ({@link Instant#MAX}). */
  public static final Instant YEAR_PLUS_1E9 = Instant.MAX;

  /** The earliest time a record can hold: year -1,000,000,000 ({@link Instant#MIN}). */
  public static final Instant YEAR_MINUS_1E9 = Instant.MIN;

  /** What the JSON renderers print for {@link #YEAR_PLUS_1E9}: ISO 8601's expanded year. */
  public static final String YEAR_PLUS_1E9_JSON = "+1000000000-12-31T23:59:59.999999999Z";

  /** What the JSON renderers print for {@link #YEAR_MINUS_1E9}. */
  public static final String YEAR_MINUS_1E9_JSON = "-1000000000-01-01T00:00:00Z";

  /** Bytes that are not UTF-8 (a lone continuation byte, an invalid lead, a truncated sequence). */
  private static final byte[] INVALID_UTF8 = {(byte) 0xff, (byte) 0x80, (byte) 0xc3, (byte) 0x28};

  private static final String INVALID_UTF8_MARKER = "\u0001\u0002\u0003\u0004";

  private HostileRecords() {}

  /** A good-looking record (a copy of the first modern fixture) with {@code TimeStamp} at year 1e9. */
  public static AnalyticsRecord timeStampYearPlus1e9() {
    return roundTrip(base().setTimeStamp(YEAR_PLUS_1E9).setPath("/hostile/timestamp-plus-1e9"));
  }

  /** A good-looking record with {@code ExpireAt} at year -1e9. */
  public static AnalyticsRecord expireAtYearMinus1e9() {
    return roundTrip(base().setExpireAt(YEAR_MINUS_1E9).setPath("/hostile/expireat-minus-1e9"));
  }

  /** Every kind of extreme record, by name, in a stable order. */
  public static Map<String, AnalyticsRecord> all() {
    Map<String, AnalyticsRecord> m = new LinkedHashMap<>();
    m.put("TimeStamp year +1e9", timeStampYearPlus1e9());
    m.put("ExpireAt year -1e9", expireAtYearMinus1e9());
    m.put("TimeStamp year -1e9, ExpireAt year +1e9",
        roundTrip(base().setTimeStamp(YEAR_MINUS_1E9).setExpireAt(YEAR_PLUS_1E9)));
    m.put("years 10000 and -1", roundTrip(base()
        .setTimeStamp(Instant.parse("+10000-01-01T00:00:00.5Z"))
        .setExpireAt(Instant.parse("-0001-12-31T23:59:59Z"))));
    m.put("huge and negative integers", roundTrip(base()
        .setContentLength(Long.MIN_VALUE).setRequestTime(Long.MAX_VALUE)
        .setResponseCode(Integer.MIN_VALUE).setDay(Integer.MAX_VALUE).setMonth(13)
        .setYear(Integer.MIN_VALUE).setHour(-1)
        .setLatency(new Latency(Long.MIN_VALUE, Long.MAX_VALUE, -1))
        .setNetwork(new NetworkStats(Long.MAX_VALUE, Long.MIN_VALUE, -1, Long.MAX_VALUE))
        .setGeo(new GeoData(new GeoData.Country("ZZ"), new GeoData.City(-1, null), GeoData.Location.EMPTY))
        .setGraphQLStats(new GraphQLStats("", null, null, null, Integer.MIN_VALUE, true, true))));
    m.put("NaN and infinite coordinates", roundTrip(base()
        .setGeo(new GeoData(GeoData.Country.EMPTY, GeoData.City.EMPTY,
            new GeoData.Location(Double.NaN, Double.NEGATIVE_INFINITY, "Mars/Olympus")))));
    m.put("very long strings", roundTrip(base()
        .setPath("/" + "p".repeat(200_000)).setRawRequest("R".repeat(300_000))
        .setUserAgent("u".repeat(100_000)).setTags(List.of("t".repeat(50_000)))));
    m.put("control, quote, separator and non-BMP characters", roundTrip(base()
        .setPath("/a,b\"c\nd\re\tf\u0000g\u2028h<i>&j")
        .setApiName(" leading space").setAlias("\\.")
        .setTags(Arrays.asList("x;y", "😀", ""))
        .setGeo(new GeoData(GeoData.Country.EMPTY,
            new GeoData.City(1, Map.of("", "", "k:v", "a;b", "é", "\u0000")), GeoData.Location.EMPTY))));
    m.put("invalid UTF-8 (decoded as U+FFFD)", invalidUtf8());
    m.put("empty everything", roundTrip(new AnalyticsRecord()));
    return m;
  }

  /** {@code good} with every record of {@link #all()} inserted at evenly spread positions. */
  public static List<AnalyticsRecord> amongGood(List<AnalyticsRecord> good) {
    List<AnalyticsRecord> out = new ArrayList<>(good);
    List<AnalyticsRecord> bad = new ArrayList<>(all().values());
    int step = Math.max(1, out.size() / (bad.size() + 1));
    for (int i = 0; i < bad.size(); i++) {
      out.add(Math.min(out.size(), (i + 1) * step + i), bad.get(i));
    }
    return out;
  }

  private static AnalyticsRecord base() {
    return Fixtures.records(Fixtures.MODERN).get(0).copy();
  }

  /** Path, user agent and a tag carrying bytes that are not UTF-8 on the wire. */
  private static AnalyticsRecord invalidUtf8() {
    AnalyticsRecord r = base()
        .setPath("/bad/" + INVALID_UTF8_MARKER)
        .setUserAgent(INVALID_UTF8_MARKER)
        .setTags(List.of(INVALID_UTF8_MARKER));
    byte[] wire = new MsgpackRecordEncoder().encode(r);
    byte[] marker = INVALID_UTF8_MARKER.getBytes(StandardCharsets.UTF_8);
    int replaced = 0;
    for (int i = 0; i + marker.length <= wire.length; i++) {
      if (Arrays.equals(wire, i, i + marker.length, marker, 0, marker.length)) {
        System.arraycopy(INVALID_UTF8, 0, wire, i, INVALID_UTF8.length);
        replaced++;
      }
    }
    if (replaced != 3) {
      throw new IllegalStateException("expected 3 markers, replaced " + replaced);
    }
    return decode(wire);
  }

  /** {@code r} as the pump sees it after the gateway encoded it. */
  public static AnalyticsRecord roundTrip(AnalyticsRecord r) {
    return decode(new MsgpackRecordEncoder().encode(r));
  }

  private static AnalyticsRecord decode(byte[] wire) {
    try {
      return new MsgpackRecordDecoder().decodeRecord(wire);
    } catch (RecordDecodeException e) {
      throw new IllegalStateException("a hostile test record must still be decodable", e);
    }
  }
}
