package io.pumpd.app.chaos;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeAggregate;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeAggregationSource;
import co.elastic.clients.elasticsearch._types.aggregations.CompositeBucket;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import io.pumpd.sinks.dogstatsd.testing.DogStatsdLine;
import io.pumpd.sinks.dogstatsd.testing.StrictDogStatsdListener;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import io.pumpd.sinks.influx2.testing.LinePoint;
import io.pumpd.sinks.influx2.testing.RecordingInfluxServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ledgers for the sinks the chaos suite reads through their servers: the embedded Elasticsearch
 * node (the {@code api_key} values of the index: distinct documents, since {@code generate_id}
 * makes a replay overwrite), the recording InfluxDB 2 server (the {@code api_key} tag of every
 * point written) and the strict DogStatsD listener (the {@code path} tag of every sample).
 */
final class ChaosSinks {
  static final String INFLUX_TOKEN = "chaos-token";
  static final String INFLUX_ORG = "chaos-org";
  static final String INFLUX_BUCKET = "chaos";

  private ChaosSinks() {}

  @SuppressWarnings("unchecked")
  static SinkLedger elasticsearch(String name, EmbeddedElasticsearch es, String index) {
    long[] lastCount = {-1};
    List<String>[] lastKeys = new List[] {List.of()};
    return SinkLedger.fromKeys(name, () -> {
      long count = es.count(index); // cheap; the keys only when it changed
      if (count != lastCount[0]) {
        lastKeys[0] = esKeys(es, index);
        lastCount[0] = count;
      }
      return lastKeys[0];
    });
  }

  static SinkLedger influx(String name, RecordingInfluxServer influx) {
    return SinkLedger.fromKeys(name, () -> {
      List<String> keys = new ArrayList<>();
      for (LinePoint p : influx.points()) {
        String k = p.tags().get("api_key");
        if (k != null) {
          keys.add(k);
        }
      }
      return keys;
    });
  }

  static SinkLedger dogstatsd(String name, StrictDogStatsdListener statsd) {
    return SinkLedger.fromKeys(name, () -> {
      List<String> keys = new ArrayList<>();
      for (DogStatsdLine m : statsd.metrics()) {
        for (String t : m.tags()) {
          if (t.startsWith("path:/" + Gateway.TAG)) {
            keys.add(t.substring("path:/".length()));
          }
        }
      }
      return keys;
    });
  }

  static RecordingInfluxServer influxServer() {
    return RecordingInfluxServer.builder(INFLUX_TOKEN, INFLUX_ORG).bucket(INFLUX_BUCKET).start();
  }

  /** Every {@code api_key} in {@code index} (a composite aggregation, paged). */
  private static List<String> esKeys(EmbeddedElasticsearch es, String index) {
    es.refresh(index);
    List<String> out = new ArrayList<>();
    Map<String, FieldValue> after = null;
    try {
      while (true) {
        Map<String, FieldValue> from = after;
        SearchResponse<Void> r = es.client().search(s -> s.index(index).size(0)
            .ignoreUnavailable(true).allowNoIndices(true)
            .aggregations("k", a -> a.composite(c -> {
              c.size(10_000).sources(List.of(Map.of("k",
                  CompositeAggregationSource.of(src -> src.terms(t -> t.field("api_key"))))));
              if (from != null) {
                c.after(from);
              }
              return c;
            })), Void.class);
        if (r.aggregations() == null || !r.aggregations().containsKey("k")) {
          return out;
        }
        CompositeAggregate agg = r.aggregations().get("k").composite();
        List<CompositeBucket> buckets = agg.buckets().array();
        for (CompositeBucket b : buckets) {
          out.add(b.key().get("k").stringValue());
        }
        if (buckets.isEmpty() || agg.afterKey() == null || agg.afterKey().isEmpty()) {
          return out;
        }
        after = agg.afterKey();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
