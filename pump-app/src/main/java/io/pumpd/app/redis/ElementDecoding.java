package io.pumpd.app.redis;

import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.delivery.BatchDecoding;
import io.pumpd.core.delivery.RecordKind;
import io.pumpd.core.delivery.SourceBatch;
import java.util.List;

/**
 * How the elements of the gateway's Redis lists are decoded, with the core's {@link
 * BatchDecoder} (which counts, logs and dead-letters each undecodable element once): uptime
 * reports as msgpack, request analytics as protobuf when they come from a {@code _protobuf} list
 * (a gateway with {@code analytics_config.serializer_type: "protobuf"}), else as msgpack. Engine
 * thread only (one {@link BatchDecoder}).
 */
public final class ElementDecoding implements BatchDecoding {
  private final BatchDecoder decoder;
  private final AnalyticsKeys keys;

  /** Decodes with {@code decoder} the lists named by {@code keys}. */
  public ElementDecoding(BatchDecoder decoder, AnalyticsKeys keys) {
    this.decoder = decoder;
    this.keys = keys;
  }

  @Override
  public BatchDecoder.Decoded<?> decode(SourceBatch batch, List<byte[]> elements,
      long maxHeapBytes) {
    if (batch.kind() == RecordKind.UPTIME) {
      return decoder.decodeUptime(batch.key(), elements, maxHeapBytes);
    }
    return keys.isProtobuf(batch.key())
        ? decoder.decodeProtobuf(batch.key(), elements, maxHeapBytes)
        : decoder.decode(batch.key(), elements, maxHeapBytes);
  }
}
