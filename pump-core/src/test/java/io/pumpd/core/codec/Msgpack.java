package io.pumpd.core.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Test-side msgpack: turns real elements into plain Java values ({@link LinkedHashMap} with
 * String keys in wire order, {@link List}, String, Long, Double, Boolean, null) and back, so tests
 * can take a real gateway record and change, add or drop keys. Uses msgpack-java, independent of
 * the decoder under test.
 */
final class Msgpack {
  private Msgpack() {}

  /** Packs a plain value; an {@link Instant} as Go's {@code [seconds, nanos]}, a {@link Raw} as is. */
  static byte[] pack(Object value) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      write(p, value);
      return p.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Already-encoded msgpack bytes to splice in verbatim. */
  record Raw(byte[] bytes) {}

  @SuppressWarnings("unchecked")
  private static void write(MessageBufferPacker p, Object v) throws IOException {
    if (v == null) {
      p.packNil();
    } else if (v instanceof Raw raw) {
      p.writePayload(raw.bytes());
    } else if (v instanceof String s) {
      p.packString(s);
    } else if (v instanceof Boolean b) {
      p.packBoolean(b);
    } else if (v instanceof Double d) {
      p.packDouble(d);
    } else if (v instanceof BigInteger b) {
      p.packBigInteger(b);
    } else if (v instanceof Number n) {
      p.packLong(n.longValue());
    } else if (v instanceof Instant t) {
      p.packArrayHeader(2);
      p.packLong(t.getEpochSecond());
      p.packLong(t.getNano());
    } else if (v instanceof Map<?, ?> m) {
      p.packMapHeader(m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        write(p, e.getKey());
        write(p, e.getValue());
      }
    } else if (v instanceof List<?> l) {
      p.packArrayHeader(l.size());
      for (Object o : l) {
        write(p, o);
      }
    } else {
      throw new IllegalArgumentException("cannot pack " + v.getClass());
    }
  }

  /** One element as plain Java values. */
  static Object unpack(byte[] bytes) {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
      Object v = read(u);
      if (u.hasNext()) {
        throw new IllegalArgumentException("trailing bytes");
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One element that is a map, as a mutable map in wire order. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> unpackMap(byte[] bytes) {
    return (Map<String, Object>) unpack(bytes);
  }

  private static Object read(MessageUnpacker u) throws IOException {
    ValueType t = u.getNextFormat().getValueType();
    switch (t) {
      case NIL:
        u.unpackNil();
        return null;
      case BOOLEAN:
        return u.unpackBoolean();
      case INTEGER:
        return u.unpackLong();
      case FLOAT:
        return u.unpackDouble();
      case STRING:
        return u.unpackString();
      case ARRAY: {
        int n = u.unpackArrayHeader();
        List<Object> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          l.add(read(u));
        }
        return l;
      }
      case MAP: {
        int n = u.unpackMapHeader();
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          m.put((String) read(u), read(u));
        }
        return m;
      }
      default:
        throw new IllegalArgumentException("unexpected " + t);
    }
  }
}
