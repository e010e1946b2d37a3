package io.pumpd.app.redis;

import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.delivery.BatchDecoding;
import io.pumpd.core.delivery.RecordKind;
import io.pumpd.core.delivery.SourceBatch;
import java.util.List;

/**
 * How the elements of the gateway's Redis lists are decoded: by the batch's kind (request
 * analytics or uptime reports) with the core's {@link BatchDecoder}, which counts, logs and
 * dead-letters each undecodable element once. Engine thread only (one {@link BatchDecoder}).
 */
public final class ElementDecoding implements BatchDecoding {
  private final BatchDecoder decoder;

  public ElementDecoding(BatchDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public BatchDecoder.Decoded<?> decode(SourceBatch batch, List<byte[]> elements,
      long maxHeapBytes) {
    return batch.kind() == RecordKind.UPTIME
        ? decoder.decodeUptime(batch.key(), elements, maxHeapBytes)
        : decoder.decode(batch.key(), elements, maxHeapBytes);
  }
}
