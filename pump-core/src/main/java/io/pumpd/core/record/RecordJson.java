package io.pumpd.core.record;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Renders records the way Go's {@code encoding/json} renders Tyk's structs with their json tags:
 * what Tyk's {@code stdout} pump (format json), SQS and Kinesis pumps emit. Times are RFC 3339 in
 * UTC with Go's trimmed fraction ({@code 2026-11-20T14:00:00.000922Z}); nil lists are {@code null}.
 *
 * <p>Thread-safe: the shared {@link ObjectMapper} is configured once.
 */
public final class RecordJson {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(
              new SimpleModule("go-json")
                  .addSerializer(Instant.class, new GoTimeSerializer())
                  .addSerializer(Double.class, new GoFloatSerializer())
                  .addSerializer(double.class, new GoFloatSerializer()))
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

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

  /** {@code t} as Go's {@code time.RFC3339Nano} in UTC: fraction without trailing zeros. */
  public static String formatTime(Instant t) {
    String base = SECONDS.format(t);
    int nanos = t.getNano();
    if (nanos == 0) {
      return base + "Z";
    }
    StringBuilder frac = new StringBuilder(String.format("%09d", nanos));
    int end = frac.length();
    while (end > 0 && frac.charAt(end - 1) == '0') {
      end--;
    }
    frac.setLength(end);
    return base + "." + frac + "Z";
  }

  /** {@code d} as Go's {@code encoding/json} writes a float64: {@code 0}, {@code 1.2897}, {@code 1e-07}. */
  public static String formatFloat(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "null";
    }
    double abs = Math.abs(d);
    if (d == Math.rint(d) && abs < 1e21) {
      return new java.math.BigDecimal(d).toPlainString();
    }
    if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
      String e = String.format("%e", d); // Go uses the shortest 'e' form; close enough for such values
      return e;
    }
    return new java.math.BigDecimal(Double.toString(d)).toPlainString();
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
      gen.writeString(formatTime(value));
    }
  }
}
