package io.pumpd.sinks.testing;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pumpd.core.config.EnvName;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The env-var segment of each setting of a settings class, by the project's convention: {@link
 * EnvName} when present, else the JSON key without underscores, upper-cased.
 */
public final class SettingsEnvNames {
  private SettingsEnvNames() {}

  /** JSON key to env segment, for every {@code @JsonProperty} field of {@code type}. */
  public static Map<String, String> of(Class<?> type) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Field f : type.getDeclaredFields()) {
      JsonProperty json = f.getAnnotation(JsonProperty.class);
      if (json == null) {
        continue;
      }
      EnvName env = f.getAnnotation(EnvName.class);
      out.put(json.value(), env != null ? env.value() : json.value().replace("_", "").toUpperCase(Locale.ROOT));
    }
    return out;
  }
}
