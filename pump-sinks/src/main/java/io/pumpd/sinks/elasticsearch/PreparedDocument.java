package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.pumpd.core.record.AnalyticsRecord;

/**
 * One record turned into what is sent: the target index, the optional id and the JSON bytes.
 * Immutable.
 *
 * @param position the record's position in its {@code write} batch
 */
record PreparedDocument(int position, String index, String id, byte[] json) {

  /** Per-document overhead counted against the buffer budget besides the JSON (action line, objects). */
  static final int OVERHEAD_BYTES = 128;

  static PreparedDocument of(ElasticsearchDocumentMapper mapper, AnalyticsRecord r, int position) {
    return new PreparedDocument(position, mapper.index(r), mapper.id(r), mapper.documentBytes(r));
  }

  /** The {@code index} bulk operation. */
  BulkOperation operation() {
    BinaryData doc = BinaryData.of(json, ContentType.APPLICATION_JSON);
    return BulkOperation.of(b -> b.index(i -> i.index(index).id(id).document(doc)));
  }

  long weight() {
    return json.length + index.length() + OVERHEAD_BYTES;
  }
}
