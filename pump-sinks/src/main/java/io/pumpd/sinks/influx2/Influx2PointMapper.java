package io.pumpd.sinks.influx2;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GoTime;
import io.pumpd.core.record.RecordJson;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Turns a record into the point Tyk's influx2 pump writes ({@code reference/tyk-pump.md} §5.3):
 * measurement {@code analytics}; the configured tags rendered as Tyk renders them (JSON text with
 * the quotes trimmed; empty values are left out, as line protocol requires); the configured fields
 * with their Go types (strings, integers as {@code i}, the time as an RFC 3339 string).
 *
 * <p>Two deliberate differences from Tyk: the point time is the record's {@code TimeStamp} (Tyk
 * uses the write time, so points of one batch collide and overwrite each other), in microseconds
 * as Tyk writes; a record without a usable time (Go's zero time, or outside InfluxDB's range) gets
 * the write time. Rewriting the same record is therefore idempotent in InfluxDB.
 *
 * <p>Immutable and thread-safe.
 */
public final class Influx2PointMapper {
  /** Tyk's measurement name. */
  public static final String MEASUREMENT = "analytics";

  /** The precision of point times (Tyk's {@code SetPrecision(time.Microsecond)}). */
  public static final WritePrecision PRECISION = WritePrecision.US;

  /** InfluxDB stores nanoseconds in an int64: 1677-09-21 to 2262-04-11. */
  private static final Instant EARLIEST = Instant.ofEpochSecond(-9_223_372_036L);

  private static final Instant LATEST = Instant.ofEpochSecond(9_223_372_035L);

  private final List<Influx2Attribute> tags;
  private final List<Influx2Attribute> fields;
  private final LongSupplier nowMicros;

  /**
   * @param tags tag attributes, in order
   * @param fields field attributes, in order; must not be empty (a point needs a field)
   * @param nowMicros the write time in microseconds, for records without a usable time
   */
  public Influx2PointMapper(
      List<Influx2Attribute> tags, List<Influx2Attribute> fields, LongSupplier nowMicros) {
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("a point needs at least one field");
    }
    this.tags = List.copyOf(tags);
    this.fields = List.copyOf(fields);
    this.nowMicros = nowMicros;
  }

  /** The point for {@code r}. */
  public Point map(AnalyticsRecord r) {
    Point p = Point.measurement(MEASUREMENT);
    for (Influx2Attribute t : tags) {
      p.addTag(t.configName(), t.tagValue(r));
    }
    for (Influx2Attribute f : fields) {
      Object v = f.value(r);
      if (v instanceof Long l) {
        p.addField(f.configName(), l.longValue());
      } else if (v instanceof Instant t) {
        p.addField(f.configName(), RecordJson.formatTime(t));
      } else {
        p.addField(f.configName(), (String) v);
      }
    }
    return p.time(timeMicros(r), PRECISION);
  }

  /**
   * The point for {@code r} in line protocol, as the client sends it (the pump sets no default
   * tags).
   *
   * @throws IllegalStateException the point renders to nothing (the client would drop it)
   */
  public String line(AnalyticsRecord r) {
    String line = map(r).toLineProtocol();
    if (line.isEmpty()) {
      throw new IllegalStateException("the point has no field to write");
    }
    return line;
  }

  /** The point time in microseconds: the record's {@code TimeStamp}, or the write time if unusable. */
  public long timeMicros(AnalyticsRecord r) {
    Instant t = r.getTimeStamp();
    if (t == null || GoTime.isZero(t) || t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
      return nowMicros.getAsLong();
    }
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }
}
