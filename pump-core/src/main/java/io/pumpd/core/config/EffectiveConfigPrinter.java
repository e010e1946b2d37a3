package io.pumpd.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * Renders the effective configuration (file plus env, defaults filled in) as pretty JSON for
 * {@code pump config check}, with every secret masked: {@link Secret} values, values of keys named
 * like credentials, and passwords inside URLs become {@code ****}. Each pump's {@code meta} is shown
 * as its bound settings, so its defaults are visible too, plus the {@code meta_env_prefix} its env
 * vars use. Stateless and thread-safe.
 */
public final class EffectiveConfigPrinter {
  /** Serializes only {@code @JsonProperty} fields: getters of settings classes are not config. */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(MapperFeature.AUTO_DETECT_GETTERS)
          .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private EffectiveConfigPrinter() {}

  /** The effective configuration as masked JSON. */
  public static ObjectNode toTree(LoadedConfig loaded) {
    ObjectNode tree = MAPPER.valueToTree(loaded.configuration());
    ObjectNode pumps = tree.putObject("pumps");
    loaded.pumps().forEach((name, p) -> {
      ObjectNode entry = MAPPER.valueToTree(p.entry());
      ObjectNode meta = MAPPER.valueToTree(p.settings());
      meta.put(PumpAssembler.META_ENV_PREFIX_KEY, p.metaEnvPrefix());
      entry.set("meta", meta);
      pumps.set(name, entry);
    });
    SecretRedactor redactor = new SecretRedactor();
    redactor.collect(MAPPER.valueToTree(loaded.configuration()), PumpConfiguration.class);
    loaded.pumps().values().forEach(p -> redactor.collect(p.entry().meta(), p.settings().getClass()));
    redactor.maskTree(tree);
    return tree;
  }

  /** {@link #toTree} rendered with two-space indentation. */
  public static String render(LoadedConfig loaded) {
    try {
      return MAPPER.writeValueAsString(toTree(loaded));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
