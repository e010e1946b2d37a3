package io.pumpd.app.redis.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

class StreamKeysTest {

  @Test
  void theStreamAndItsCountersShareTheListsHashSlot() {
    StreamKeys k = StreamKeys.of("analytics-tyk-system-analytics_3", ":pumpd", false);
    assertThat(k.stream()).isEqualTo("{analytics-tyk-system-analytics_3}:pumpd");
    assertThat(k.counters()).isEqualTo("{analytics-tyk-system-analytics_3}:pumpd:counters");
    int slot = SlotHash.getSlot(k.list());
    assertThat(SlotHash.getSlot(k.stream())).isEqualTo(slot);
    assertThat(SlotHash.getSlot(k.counters())).isEqualTo(slot);
  }

  @Test
  void aListKeyWithItsOwnHashTagKeepsIt() {
    StreamKeys k = StreamKeys.of("{tyk}analytics-tyk-system-analytics", ":pumpd", false);
    assertThat(k.stream()).isEqualTo("{tyk}analytics-tyk-system-analytics:pumpd");
    assertThat(SlotHash.getSlot(k.stream())).isEqualTo(SlotHash.getSlot(k.list()));
  }

  @Test
  void aListKeyWhoseBracesAreNoHashTagIsRefused() {
    assertThatThrownBy(() -> StreamKeys.of("{}x-tyk-system-analytics", ":pumpd", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key_prefix");
  }
}
