package io.pumpd.app.delivery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * Reads the {@code r} field of a stream entry: the gateway's raw records as Redis's Lua {@code
 * cmsgpack.pack} wrote them, a msgpack array of raw strings (the record bytes, untouched).
 * Stateless and thread-safe.
 */
final class ChunkCodec {
  private ChunkCodec() {}

  /**
   * The raw records of an entry.
   *
   * @throws IOException when the field is not such an array (a corrupt or foreign entry)
   */
  static List<byte[]> unpack(byte[] payload) throws IOException {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
      if (u.getNextFormat().getValueType() != org.msgpack.value.ValueType.ARRAY) {
        throw new IOException("entry payload is not a msgpack array but " + u.getNextFormat());
      }
      int n = u.unpackArrayHeader();
      List<byte[]> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        MessageFormat f = u.getNextFormat();
        int len;
        switch (f.getValueType()) {
          case STRING -> len = u.unpackRawStringHeader();
          case BINARY -> len = u.unpackBinaryHeader();
          default -> throw new IOException("entry element " + i + " is " + f + ", not a string");
        }
        out.add(u.readPayload(len));
      }
      if (u.hasNext()) {
        throw new IOException("trailing bytes after the entry's array");
      }
      return out;
    } catch (org.msgpack.core.MessagePackException e) {
      throw new IOException("entry payload is not valid msgpack: " + e.getMessage(), e);
    }
  }
}
