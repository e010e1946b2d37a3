package io.pumpd.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Binds normalized JSON trees to config and settings classes with Jackson, and runs their {@link
 * SelfValidating} checks; failures become problems in the {@link LoadReport}, located by JSON
 * path. Thread-safe apart from the report it writes to.
 */
final class SettingsBinder {
  /** Binding mapper: unknown keys were already warned about; floats never truncate into ints. */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(MapperFeature.AUTO_DETECT_GETTERS)
          .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
          .build();

  private final LoadReport report;

  SettingsBinder(LoadReport report) {
    this.report = report;
  }

  /** {@code tree} bound to {@code type}, or empty after reporting why not. */
  <T> Optional<T> bind(ObjectNode tree, Class<T> type, String path) {
    try {
      return Optional.of(MAPPER.treeToValue(tree, type));
    } catch (JsonMappingException e) {
      String at = path;
      for (JsonMappingException.Reference r : e.getPath()) {
        at = r.getFieldName() != null
            ? SchemaTree.join(at, r.getFieldName()) : at + "[" + r.getIndex() + "]";
      }
      report.problem(at, "cannot be bound: " + e.getOriginalMessage(), null);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      report.problem(path, "cannot be bound: " + e.getMessage(), null);
    }
    return Optional.empty();
  }

  /** Runs {@code settings.validate} when it is {@link SelfValidating}; problems go under {@code path}. */
  void validate(Object settings, String path) {
    if (settings instanceof SelfValidating v) {
      ConfigProblems problems = new ConfigProblems();
      try {
        v.validate(problems);
      } catch (RuntimeException e) {
        problems.add("", "validation failed: " + e);
      }
      report.addAll(path, problems);
    }
  }
}
