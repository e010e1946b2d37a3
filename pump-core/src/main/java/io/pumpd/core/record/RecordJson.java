package io.pumpd.core.record;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Locale;

/**
 * Renders records byte for byte the way Go's {@code encoding/json} renders Tyk's structs with their
 * json tags: what Tyk's {@code stdout} pump (format json), SQS and Kinesis pumps emit.
 *
 * <ul>
 *   <li>times are RFC 3339 with Go's trimmed fraction ({@code 2026-11-20T14:00:00.000922Z}), in
 *       UTC, except a request record's {@code timestamp} and {@code expireAt}, which are in the
 *       record's {@linkplain AnalyticsRecord#getZone() zone} ({@code 2026-11-20T19:45:00.000922+05:45})
 *       as Go writes a {@code time.Time} in its location;
 *       a time whose year is outside [0, 9999] (which Go's {@code MarshalJSON} refuses to write,
 *       so Tyk loses the record) is written with ISO 8601's expanded year instead, as {@link
 *       Instant#toString()} writes it ({@code +10000-01-01T00:00:00Z}, {@code -0001-12-31T23:59:59Z},
 *       {@code +1000000000-12-31T23:59:59.999999999Z}), so every decodable record renders;
 *   <li>floats as Go writes a float64 ({@link #formatFloat});
 *   <li>nil lists and maps are {@code null}; map keys are sorted, as Go sorts them;
 *   <li>strings are escaped as Go escapes them ({@link GoJsonString}): {@code <}, {@code >},
 *       {@code &}, U+2028 and U+2029 as <code>&#92;u003c</code>-style escapes; control characters
 *       as <code>&#92;n</code>, <code>&#92;t</code>, <code>&#92;b</code>, <code>&#92;f</code>,
 *       <code>&#92;r</code> or lowercase <code>&#92;u001b</code> (Go 1.22 and later).
 * </ul>
 *
 * <p>Thread-safe: the shared {@link ObjectMapper} is configured once.
 */
public final class RecordJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              new JsonFactoryBuilder()
                  .characterEscapes(GoJsonString.characterEscapes())
                  .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                  .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                  .build())
          .addModule(
              new SimpleModule("go-json")
                  .addSerializer(Instant.class, new GoTimeSerializer())
                  .addSerializer(Double.class, new GoFloatSerializer())
                  .addSerializer(double.class, new GoFloatSerializer()))
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

  /**
   * ISO 8601 in UTC with the fraction trimmed as Go trims it ({@code appendInstant(-1)}) and the
   * year expanded when it needs more than four digits or a sign; total over {@link Instant}.
   */
  private static final DateTimeFormatter EXPANDED_YEAR =
      new DateTimeFormatterBuilder().appendInstant(-1).toFormatter(Locale.ROOT);

  private RecordJson() {}

  /** The shared mapper, with Go time rendering; sinks that build their own documents reuse it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** One record as a single-line JSON object. */
  public static String toJson(Object record) {
    try {
      return MAPPER.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code t} as Go's {@code time.RFC3339Nano} in UTC: fraction without trailing zeros. Total: a
   * year outside [0, 9999] ({@link GoTime#hasFourDigitYear}), which RFC 3339 cannot write, comes
   * out with ISO 8601's expanded year (a sign, at least four digits: {@code +10000-01-01T00:00:00Z},
   * {@code -1000000000-01-01T00:00:00.5Z}), which {@link Instant#parse} reads back.
   */
  public static String formatTime(Instant t) {
    if (!GoTime.hasFourDigitYear(t)) {
      return EXPANDED_YEAR.format(t);
    }
    LocalDateTime utc = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    StringBuilder sb = new StringBuilder(30);
    appendWallClock(sb, utc, t.getNano());
    return sb.append('Z').toString();
  }

  /**
   * {@code t} as Go's {@code time.RFC3339Nano} for a {@code time.Time} in {@code zone}: the wall
   * clock there and the offset at that instant, {@code +05:45}, or {@code Z} when the offset is
   * zero (Go writes {@code Z} for any zero offset, and drops an offset's seconds: a local mean
   * time of +05:53:28 is written {@code +05:53}). A time whose
   * wall-clock year there is outside [0, 9999] is written as {@link #formatTime(Instant)} writes
   * it, in UTC. Total; thread-safe.
   */
  public static String formatTime(Instant t, ZoneId zone) {
    if (zone == ZoneOffset.UTC || !GoTime.hasFourDigitYear(t)) {
      return formatTime(t);
    }
    int offset = zone.getRules().getOffset(t).getTotalSeconds();
    if (offset == 0) {
      return formatTime(t);
    }
    int minutes = offset / 60; // toward zero, as Go's RFC 3339 formatting does
    LocalDateTime local = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.ofTotalSeconds(offset));
    if (local.getYear() < 0 || local.getYear() > 9999) {
      return formatTime(t);
    }
    StringBuilder sb = new StringBuilder(35);
    appendWallClock(sb, local, t.getNano());
    sb.append(minutes < 0 ? '-' : '+');
    pad(sb, Math.abs(minutes) / 60, 2);
    sb.append(':');
    pad(sb, Math.abs(minutes) % 60, 2);
    return sb.toString();
  }

  private static void appendWallClock(StringBuilder sb, LocalDateTime at, int nanos) {
    pad(sb, at.getYear(), 4);
    sb.append('-');
    pad(sb, at.getMonthValue(), 2);
    sb.append('-');
    pad(sb, at.getDayOfMonth(), 2);
    sb.append('T');
    pad(sb, at.getHour(), 2);
    sb.append(':');
    pad(sb, at.getMinute(), 2);
    sb.append(':');
    pad(sb, at.getSecond(), 2);
    if (nanos != 0) {
      int digits = 9;
      while (nanos % 10 == 0) {
        nanos /= 10;
        digits--;
      }
      sb.append('.');
      pad(sb, nanos, digits);
    }
  }

  private static void pad(StringBuilder sb, int value, int width) {
    String s = Integer.toString(value);
    for (int i = s.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(s);
  }

  /**
   * {@code d} as Go's {@code encoding/json} writes a float64: {@code 0}, {@code 1.2897},
   * {@code 100}, {@code 1e-7}, {@code 1.5e+21}, {@code -0}; NaN and infinities (which Go refuses
   * to encode) as {@code null}.
   */
  public static String formatFloat(double d) {
    return GoFloat.format(d);
  }

  private static final class GoFloatSerializer extends StdSerializer<Double> {
    private static final long serialVersionUID = 1L;

    GoFloatSerializer() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeNumber(formatFloat(value));
    }
  }

  private static final class GoTimeSerializer extends StdSerializer<Instant> {
    private static final long serialVersionUID = 1L;

    GoTimeSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      // the bean being written: a request record's times are shown in its zone
      if (gen.currentValue() instanceof AnalyticsRecord r) {
        gen.writeString(formatTime(value, r.getZone()));
      } else {
        gen.writeString(formatTime(value));
      }
    }
  }
}
