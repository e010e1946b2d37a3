package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;

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
  void uptimeAndVersionKeysIgnoreTheAnalyticsPrefix() {
    AnalyticsKeys keys = AnalyticsKeys.withPrefix("custom:");
    assertThat(keys.analytics()).first().isEqualTo("custom:tyk-system-analytics");
    assertThat(keys.uptime()).isEqualTo("host-checker:tyk-uptime-analytics");
    assertThat(keys.version()).isEqualTo("version-check-pump");
  }

  @Test
  void theDefaultPrefixComesFromTheStorageConfig() {
    assertThat(AnalyticsKeys.withPrefix(StorageConfigs.json("{}").effectiveKeyPrefix()).analytics())
        .first().isEqualTo("analytics-tyk-system-analytics");
  }
}
