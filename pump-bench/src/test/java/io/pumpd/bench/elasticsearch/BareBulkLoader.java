package io.pumpd.bench.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkIngester;
import co.elastic.clients.elasticsearch._helpers.bulk.BulkListener;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/**
 * The baseline: the same documents sent straight to Elasticsearch with the official client's
 * {@link BulkIngester} and the same bulk settings as the pump, with no Redis, no decoding and no
 * pump in between. What it reaches is the node's ingest ceiling on this machine.
 */
final class BareBulkLoader {

  /** What was acknowledged and rejected. */
  record Result(long acknowledged, long rejected, long requests) {}

  private BareBulkLoader() {}

  static Result load(String url, String index, List<byte[]> documents, BenchSettings bulk) throws IOException {
    AtomicLong acked = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicLong requests = new AtomicLong();
    try (RestClient rest = RestClient.builder(HttpHost.create(url)).build();
        RestClientTransport transport = new RestClientTransport(rest, new JacksonJsonpMapper())) {
      ElasticsearchAsyncClient client = new ElasticsearchAsyncClient(transport);
      BulkListener<Void> listener = new BulkListener<>() {
        @Override
        public void beforeBulk(long id, BulkRequest request, List<Void> contexts) {
          requests.incrementAndGet();
        }

        @Override
        public void afterBulk(long id, BulkRequest request, List<Void> contexts, BulkResponse response) {
          response.items().forEach(i -> (i.error() == null ? acked : rejected).incrementAndGet());
        }

        @Override
        public void afterBulk(long id, BulkRequest request, List<Void> contexts, Throwable failure) {
          rejected.addAndGet(contexts.size());
        }
      };
      BulkIngester<Void> ingester = BulkIngester.of(b -> b.client(client)
          .maxOperations(bulk.bulkActions())
          .maxSize(bulk.bulkSize())
          .maxConcurrentRequests(bulk.workers())
          .flushInterval(bulk.flushIntervalSeconds(), TimeUnit.SECONDS)
          .listener(listener));
      for (byte[] doc : documents) {
        BinaryData data = BinaryData.of(doc, ContentType.APPLICATION_JSON);
        ingester.add(BulkOperation.of(o -> o.index(i -> i.index(index).document(data))));
      }
      ingester.close(); // flushes and waits for every answer
    }
    return new Result(acked.get(), rejected.get(), requests.get());
  }
}
