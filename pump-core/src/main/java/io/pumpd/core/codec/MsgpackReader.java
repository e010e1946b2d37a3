package io.pumpd.core.codec;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.ArrayBufferInput;
import org.msgpack.value.ValueType;

/**
 * Typed reads over one msgpack value stream, with the leniency of Go's {@code vmihailenco/msgpack}
 * v2 decoder: nil decodes to the zero value of any type, integers may come in any width, and a
 * {@code time.Time} is the fixarray {@code [seconds, nanos]}. A value of the wrong kind is an error
 * naming the key being decoded.
 *
 * <p>Not thread-safe; reusable through {@link #reset(byte[])} (one instance per decoding thread).
 */
final class MsgpackReader {
  private final ArrayBufferInput input = new ArrayBufferInput(new byte[0]);
  private final MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(input);

  void reset(byte[] bytes) throws IOException {
    input.reset(bytes);
    unpacker.reset(input);
  }

  long position() {
    return unpacker.getTotalReadBytes();
  }

  boolean hasNext() throws IOException {
    return unpacker.hasNext();
  }

  MessageFormat peek() throws IOException {
    return unpacker.getNextFormat();
  }

  /** True (and consumed) when the next value is nil. */
  boolean tryNil() throws IOException {
    return unpacker.tryUnpackNil();
  }

  void skip() throws IOException {
    unpacker.skipValue();
  }

  /** The header of a map (entries) or, for Go's positional struct form, -(array length) - 1. */
  int structHeader(String what) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    if (f.getValueType() == ValueType.MAP) {
      return unpacker.unpackMapHeader();
    }
    if (f.getValueType() == ValueType.ARRAY) {
      return -unpacker.unpackArrayHeader() - 1;
    }
    throw mismatch(what, "a map", f);
  }

  String key() throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    if (f.getValueType() != ValueType.STRING) {
      throw mismatch("map key", "a string", f);
    }
    return unpacker.unpackString();
  }

  String string(String key) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    switch (f.getValueType()) {
      case STRING:
        return unpacker.unpackString();
      case BINARY:
        int n = unpacker.unpackBinaryHeader();
        return new String(unpacker.readPayload(n), java.nio.charset.StandardCharsets.UTF_8);
      case NIL:
        unpacker.unpackNil();
        return "";
      default:
        throw mismatch(key, "a string", f);
    }
  }

  long integer(String key) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    switch (f.getValueType()) {
      case INTEGER:
        if (f == MessageFormat.UINT64) {
          // Go uint64 values above 2^63 wrap, as Go's int64 conversion does.
          return unpacker.unpackBigInteger().longValue();
        }
        return unpacker.unpackLong();
      case NIL:
        unpacker.unpackNil();
        return 0;
      default:
        throw mismatch(key, "an integer", f);
    }
  }

  int int32(String key) throws IOException, RecordDecodeException {
    return (int) integer(key);
  }

  double float64(String key) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    switch (f.getValueType()) {
      case FLOAT:
        return unpacker.unpackDouble();
      case INTEGER:
        return unpacker.unpackLong();
      case NIL:
        unpacker.unpackNil();
        return 0;
      default:
        throw mismatch(key, "a float", f);
    }
  }

  boolean bool(String key) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    switch (f.getValueType()) {
      case BOOLEAN:
        return unpacker.unpackBoolean();
      case NIL:
        unpacker.unpackNil();
        return false;
      default:
        throw mismatch(key, "a boolean", f);
    }
  }

  /**
   * A Go {@code time.Time}: {@code [unix_seconds, nanos]} (msgpack v2), or the msgpack timestamp
   * extension (-1) newer encoders write; nil is the zero time.
   */
  Instant time(String key, Instant zero) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    switch (f.getValueType()) {
      case ARRAY:
        int n = unpacker.unpackArrayHeader();
        if (n != 2) {
          throw new RecordDecodeException(
              "key " + key + ": a time must be [seconds, nanos], found an array of " + n);
        }
        long seconds = integer(key);
        long nanos = integer(key);
        try {
          return Instant.ofEpochSecond(seconds, nanos);
        } catch (java.time.DateTimeException e) {
          throw new RecordDecodeException("key " + key + ": time out of range: " + seconds, e);
        }
      case EXTENSION:
        return unpacker.unpackTimestamp();
      case NIL:
        unpacker.unpackNil();
        return zero;
      default:
        throw mismatch(key, "a time [seconds, nanos]", f);
    }
  }

  /** A list of strings; nil is {@code null}. */
  List<String> stringList(String key) throws IOException, RecordDecodeException {
    if (unpacker.tryUnpackNil()) {
      return null;
    }
    int n = arrayHeader(key);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(string(key));
    }
    return out;
  }

  /** A {@code map[string]string}; nil is {@code null}. */
  Map<String, String> stringMap(String key) throws IOException, RecordDecodeException {
    if (unpacker.tryUnpackNil()) {
      return null;
    }
    int n = mapHeader(key);
    Map<String, String> out = new LinkedHashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      out.put(string(key), string(key));
    }
    return out;
  }

  /** An {@code interface{}} scalar: string, integer (as {@link Long}), float, bool or nil. */
  Object scalar(String key) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    switch (f.getValueType()) {
      case STRING:
        return unpacker.unpackString();
      case INTEGER:
        return integer(key);
      case FLOAT:
        return unpacker.unpackDouble();
      case BOOLEAN:
        return unpacker.unpackBoolean();
      case NIL:
        unpacker.unpackNil();
        return null;
      default:
        throw mismatch(key, "a scalar", f);
    }
  }

  int arrayHeader(String key) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    if (f.getValueType() != ValueType.ARRAY) {
      throw mismatch(key, "an array", f);
    }
    return unpacker.unpackArrayHeader();
  }

  int mapHeader(String key) throws IOException, RecordDecodeException {
    MessageFormat f = unpacker.getNextFormat();
    if (f.getValueType() != ValueType.MAP) {
      throw mismatch(key, "a map", f);
    }
    return unpacker.unpackMapHeader();
  }

  private RecordDecodeException mismatch(String key, String expected, MessageFormat found) {
    return new RecordDecodeException(
        "key "
            + key
            + ": expected "
            + expected
            + ", found msgpack "
            + found
            + " at byte "
            + unpacker.getTotalReadBytes());
  }
}
