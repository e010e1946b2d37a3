package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.pumpd.core.pump.RenderedBatch;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.List;

/**
 * One record turned into what is sent: the target index, the optional id and the JSON bytes.
 * Immutable.
 */
record PreparedDocument(String index, String id, byte[] json) {

  /** Per-document overhead counted against the buffer budget besides the JSON (action line, objects). */
  static final int OVERHEAD_BYTES = 128;

  static PreparedDocument of(ElasticsearchDocumentMapper mapper, AnalyticsRecord r) {
    return new PreparedDocument(mapper.index(r), mapper.id(r), mapper.documentBytes(r));
  }

  /** The documents of a {@code write} batch, each record's failure its own. */
  static RenderedBatch<PreparedDocument> render(ElasticsearchDocumentMapper mapper, List<AnalyticsRecord> records) {
    return RenderedBatch.render(records, "an Elasticsearch document", r -> of(mapper, r));
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
