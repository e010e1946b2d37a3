package io.pumpd.sinks.elasticsearch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch._types.Refresh;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedElasticsearchTest {

  @Test
  void indexesAndCountsDocuments() throws Exception {
    EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
    String index = EmbeddedElasticsearch.uniqueIndex("smoke");
    es.client().index(i -> i.index(index).id("1").document(Map.of("a", 1)).refresh(Refresh.True));
    assertThat(es.count(index)).isEqualTo(1);
    assertThat(es.documents(index)).singleElement().satisfies(d -> assertThat(d.id()).isEqualTo("1"));
  }
}
