package io.pumpd.app.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceOptionsTest {

  private static long ttl(String pumpJson) {
    return SourceOptions.from(StorageConfigs.pump(pumpJson)).expireAfterPopSeconds();
  }

  @Test
  void chunkModeArmsTheStorageExpirationTimeDefaultingTo60() {
    assertThat(ttl("{\"purge_chunk\":100}")).isEqualTo(60);
    assertThat(ttl("{\"purge_chunk\":100,\"storage_expiration_time\":300}")).isEqualTo(300);
  }

  @Test
  void drainModeAndNegativeTtlsArmNothing() {
    assertThat(ttl("{}")).isZero();
    assertThat(ttl("{\"purge_chunk\":0,\"storage_expiration_time\":300}")).isZero();
    assertThat(ttl("{\"purge_chunk\":10,\"storage_expiration_time\":-1}")).isZero();
  }
}
