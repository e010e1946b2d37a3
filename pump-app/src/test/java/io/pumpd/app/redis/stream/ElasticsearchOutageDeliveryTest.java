package io.pumpd.app.redis.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.testing.RedisServerProcess;
import io.pumpd.sinks.elasticsearch.ElasticsearchPumpFactory;
import io.pumpd.sinks.elasticsearch.ElasticsearchSettings;
import io.pumpd.sinks.elasticsearch.testing.EmbeddedElasticsearch;
import io.pumpd.sinks.elasticsearch.testing.TcpProxy;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * at_least_once with the real Elasticsearch pump and node: Elasticsearch unreachable (a cut TCP
 * proxy) for longer than the pump's timeout. The pump gives up on the documents at each timeout,
 * as "not delivered for now"; the engine must offer them again rather than dead-letter and
 * acknowledge them, so that everything arrives once Elasticsearch is back (property 2).
 */
class ElasticsearchOutageDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration PUMP_TIMEOUT = Duration.ofSeconds(2);

  @Test
  void anOutageLongerThanThePumpTimeoutDeadLettersNothingAndEverythingArrivesAfterwards() throws Exception {
    EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
    String index = EmbeddedElasticsearch.uniqueIndex("alo-outage");
    TestEngines engines = null;
    try (RedisServerProcess redis = RedisServerProcess.start();
        GatewayRedis gateway = GatewayRedis.standalone(redis.port());
        TcpProxy proxy = new TcpProxy("127.0.0.1", es.port())) {
      engines = TestEngines.standalone(redis.port());
      Pump pump = elasticsearchPump(proxy.url(), index);
      TestEngines.Builder builder = engines.engine("c1").pump("es", pump).pumpTimeout(PUMP_TIMEOUT);
      StreamEngine engine = builder.start();
      // the template is in: from now on documents go through the bulk ingester
      await().atMost(WAIT).until(() -> pump.readiness().isEmpty());

      proxy.cut();
      Set<String> pushed = new HashSet<>(gateway.push(TestEngines.BASE, GatewayRedis.keys("k", 0, 1000)));
      // every record handed to the pump and given up at its timeout at least twice
      await().atMost(WAIT).until(() -> builder.meters()
          .counter("pump.records.retried", "pump", "es", "type", "test").count() >= 2 * pushed.size());
      assertThat(engine.notReadyReasons()).anyMatch(r -> r.startsWith("pump es: cannot deliver"));
      assertThat(builder.deadLetters().entries()).as("an outage is not a rejection").isEmpty();

      proxy.restore();
      await().atMost(WAIT).untilAsserted(() -> assertThat(apiKeys(es, index)).containsAll(pushed));
      await().atMost(WAIT).until(() -> engine.notReadyReasons().isEmpty());
      assertThat(apiKeys(es, index)).isEqualTo(pushed);
      assertThat(builder.deadLetters().entries()).isEmpty();
      assertThat(engine.stop(Deadline.after(Duration.ofSeconds(10))).unacknowledged()).isEmpty();
      pump.close();
    } finally {
      if (engines != null) {
        engines.closeAll();
      }
    }
  }

  private static Pump elasticsearchPump(String url, String index) throws Exception {
    ElasticsearchSettings settings = new ObjectMapper().readValue(
        "{\"elasticsearch_url\":\"" + url + "\",\"index_name\":\"" + index + "\","
            + "\"bulk_config\":{\"flush_interval\":1}}", ElasticsearchSettings.class);
    Pump pump = new ElasticsearchPumpFactory().create("es", settings);
    pump.init(new PumpContext("es", "elasticsearch", PUMP_TIMEOUT, new SimpleMeterRegistry()));
    return pump;
  }

  /** The distinct api_key values indexed (records carry unique keys). */
  private static Set<String> apiKeys(EmbeddedElasticsearch es, String index) {
    List<String> keys = es.documents(index).stream()
        .map(d -> d.source().get("api_key").asText()).toList();
    return keys.stream().collect(Collectors.toSet());
  }
}
