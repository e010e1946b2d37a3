package io.pumpd.app.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.config.PumpConfiguration;
import io.pumpd.core.config.StorageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Binds config JSON the way the config layer does (Jackson onto the config model). */
final class StorageConfigs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StorageConfigs() {}

  static StorageConfig json(String json) {
    try {
      return JSON.readValue(json, StorageConfig.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StorageConfig local(int port) {
    return json("{\"host\":\"127.0.0.1\",\"port\":" + port + ",\"timeout\":2}");
  }

  static PumpConfiguration pump(String json) {
    try {
      return JSON.readValue(json, PumpConfiguration.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
