package io.pumpd.core.codec;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds protobuf messages field by field for tests (protobuf-java's {@link CodedOutputStream}),
 * including ones no gateway writes: wrong wire types, unknown fields, repeated occurrences.
 * Not thread-safe.
 */
final class Proto {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

  static Proto message() {
    return new Proto();
  }

  /**
   * The smallest record a gateway could write: the sub-messages it always writes (empty), both
   * times, and a {@code TimeZone}.
   */
  static Proto minimalRecord(String timeZone) {
    return message()
        .message(13, time(1_700_000_000L, 5))
        .message(19, message())
        .message(23, message().message(1, message()).message(2, message()).message(3, message()))
        .message(24, message())
        .message(28, time(1_702_592_000L, 5))
        .string(30, timeZone);
  }

  static Proto time(long seconds, int nanos) {
    Proto t = message();
    if (seconds != 0) {
      t.varint(1, seconds);
    }
    if (nanos != 0) {
      t.varint(2, nanos);
    }
    return t;
  }

  Proto varint(int field, long value) {
    return write(() -> out.writeInt64(field, value));
  }

  Proto string(int field, String value) {
    return write(() -> out.writeString(field, value));
  }

  Proto bytes(int field, byte[] value) {
    return write(() -> out.writeByteArray(field, value));
  }

  Proto message(int field, Proto value) {
    return bytes(field, value.toByteArray());
  }

  Proto fixed64(int field, long value) {
    return write(() -> out.writeFixed64(field, value));
  }

  Proto fixed32(int field, int value) {
    return write(() -> out.writeFixed32(field, value));
  }

  Proto tag(int field, int wireType) {
    return write(() -> out.writeTag(field, wireType));
  }

  Proto raw(byte... value) {
    return write(() -> out.writeRawBytes(value));
  }

  byte[] toByteArray() {
    write(out::flush);
    return bytes.toByteArray();
  }

  /** {@code element} followed by this message's fields (protobuf: later fields win or merge). */
  byte[] appendedTo(byte[] element) {
    byte[] tail = toByteArray();
    byte[] all = java.util.Arrays.copyOf(element, element.length + tail.length);
    System.arraycopy(tail, 0, all, element.length, tail.length);
    return all;
  }

  private interface Write {
    void run() throws IOException;
  }

  private Proto write(Write w) {
    try {
      w.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }
}
