package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class AnalyticsKeysTest {

  @Test
  void theElevenAnalyticsKeysInTykOrder() {
    assertThat(AnalyticsKeys.withPrefix("analytics-").analytics()).containsExactly(
        "analytics-tyk-system-analytics",
        "analytics-tyk-system-analytics_0", "analytics-tyk-system-analytics_1",
        "analytics-tyk-system-analytics_2", "analytics-tyk-system-analytics_3",
        "analytics-tyk-system-analytics_4", "analytics-tyk-system-analytics_5",
        "analytics-tyk-system-analytics_6", "analytics-tyk-system-analytics_7",
        "analytics-tyk-system-analytics_8", "analytics-tyk-system-analytics_9");
  }

  @Test
  void theElevenProtobufKeysInTykOrder() {
    AnalyticsKeys keys = AnalyticsKeys.withPrefix("analytics-");
    assertThat(keys.protobufAnalytics()).containsExactly(
        "analytics-tyk-system-analytics_protobuf",
        "analytics-tyk-system-analytics_0_protobuf", "analytics-tyk-system-analytics_1_protobuf",
        "analytics-tyk-system-analytics_2_protobuf", "analytics-tyk-system-analytics_3_protobuf",
        "analytics-tyk-system-analytics_4_protobuf", "analytics-tyk-system-analytics_5_protobuf",
        "analytics-tyk-system-analytics_6_protobuf", "analytics-tyk-system-analytics_7_protobuf",
        "analytics-tyk-system-analytics_8_protobuf", "analytics-tyk-system-analytics_9_protobuf");
    assertThat(keys.isProtobuf("analytics-tyk-system-analytics_3_protobuf")).isTrue();
    assertThat(keys.isProtobuf("analytics-tyk-system-analytics_3")).isFalse();
    assertThat(keys.isProtobuf(keys.uptime())).isFalse();
  }

  /** fixtures/README.md, "Redis keys": each msgpack key, then its protobuf twin. */
  @Test
  void readOrderInterleavesEachMsgpackKeyWithItsProtobufTwin() {
    AnalyticsKeys keys = AnalyticsKeys.withPrefix("p-");
    assertThat(keys.readOrder()).hasSize(22).startsWith(
        "p-tyk-system-analytics", "p-tyk-system-analytics_protobuf",
        "p-tyk-system-analytics_0", "p-tyk-system-analytics_0_protobuf",
        "p-tyk-system-analytics_1").endsWith(
        "p-tyk-system-analytics_9", "p-tyk-system-analytics_9_protobuf");
    assertThat(keys.readOrder()).containsExactlyInAnyOrderElementsOf(
        Stream.concat(keys.analytics().stream(), keys.protobufAnalytics().stream())
            .toList());
  }

  @Test
  void uptimeAndVersionKeysIgnoreTheAnalyticsPrefix() {
    AnalyticsKeys keys = AnalyticsKeys.withPrefix("custom:");
    assertThat(keys.analytics()).first().isEqualTo("custom:tyk-system-analytics");
    assertThat(keys.protobufAnalytics()).first().isEqualTo("custom:tyk-system-analytics_protobuf");
    assertThat(keys.uptime()).isEqualTo("host-checker:tyk-uptime-analytics");
    assertThat(keys.version()).isEqualTo("version-check-pump");
  }

  @Test
  void theDefaultPrefixComesFromTheStorageConfig() {
    assertThat(AnalyticsKeys.withPrefix(StorageConfigs.json("{}").effectiveKeyPrefix()).analytics())
        .first().isEqualTo("analytics-tyk-system-analytics");
  }
}
