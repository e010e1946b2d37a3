package io.pumpd.app.redis.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.SlotHash;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.testing.RecordingPump;
import io.pumpd.core.testing.RedisClusterProcess;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * at_least_once on a real 3-master Redis Cluster: each list, its stream and counters share a hash
 * slot, so the move script and the stream commands run on the list's own master, and the eleven
 * keys spread over the masters as the gateway's lists do.
 */
class ClusterDeliveryTest {
  private static RedisClusterProcess cluster;

  @BeforeAll
  static void start() {
    cluster = RedisClusterProcess.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void everyListIsDeliveredThroughItsOwnSlotAndReplicasShareTheWork() throws Exception {
    TestEngines engines = TestEngines.cluster(cluster.addresses());
    RecordingPump onA = new RecordingPump();
    RecordingPump onB = new RecordingPump();
    StreamEngine a = engines.engine("pod-a").pump("es", onA).entryRecords(100).start();
    StreamEngine b = engines.engine("pod-b").pump("es", onB).entryRecords(100).start();
    Set<String> pushed = new HashSet<>();
    Set<Integer> slots = new HashSet<>();
    try (GatewayRedis gateway = GatewayRedis.cluster(cluster.addresses())) {
      for (String list : TestEngines.KEYS.analytics()) {
        pushed.addAll(gateway.push(list, GatewayRedis.keys(list, 0, 1000)));
        slots.add(SlotHash.getSlot(list));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        Set<String> union = new HashSet<>(TestPumps.keys(onA));
        union.addAll(TestPumps.keys(onB));
        return union.equals(pushed);
      });
      for (String list : TestEngines.KEYS.analytics()) {
        assertThat(gateway.llen(list)).isZero();
      }
    }
    assertThat(slots).hasSize(11);
    assertThat(onA.received()).isNotEmpty();
    assertThat(onB.received()).isNotEmpty();
    a.stop(Deadline.after(Duration.ofSeconds(10)));
    b.stop(Deadline.after(Duration.ofSeconds(10)));
    engines.closeAll();
  }
}
