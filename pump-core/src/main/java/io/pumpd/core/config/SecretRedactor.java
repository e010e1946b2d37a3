package io.pumpd.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secret values out of text: replaces every known secret value (collected from {@link
 * Secret} fields, keys named like credentials and env vars named like credentials) and the
 * password part of any {@code scheme://user:password@host} URL by {@code ****}. Values shorter
 * than {@value #MIN_LENGTH} characters are not searched for in free text (they would mangle
 * messages); structured output masks them by key regardless. Not thread-safe while collecting.
 */
final class SecretRedactor {
  static final String MASK = "****";
  private static final int MIN_LENGTH = 4;
  private static final Pattern URL_PASSWORD =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^:/@\\s\"]*:)([^@/\\s\"]+)(@)");

  private final TreeSet<String> values =
      new TreeSet<>(Comparator.comparingInt(String::length).reversed().thenComparing(s -> s));

  void add(String value) {
    if (value != null && value.length() >= MIN_LENGTH) {
      values.add(value);
    }
  }

  /** Adds the values of env vars whose names look like credentials. */
  void addSensitiveEnv(Map<String, String> env) {
    env.forEach(
        (k, v) -> {
          if (ConfigSchema.isSensitiveKey(k)) {
            add(v);
          }
        });
  }

  /**
   * Adds every secret in {@code node}: fields the schema marks sensitive, and in schema-less parts
   * (free-form JSON, unknown keys) keys named like credentials.
   */
  void collect(JsonNode node, Class<?> schema) {
    if (node == null || !node.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      Optional<ConfigSchema.FieldSpec> spec =
          schema == null ? Optional.empty() : ConfigSchema.find(schema, e.getKey());
      boolean sensitive =
          spec.map(ConfigSchema.FieldSpec::sensitive).orElse(false)
              || ConfigSchema.isSensitiveKey(e.getKey());
      JsonNode v = e.getValue();
      if (sensitive) {
        addAllText(v);
      } else if (v.isObject()) {
        collect(v, spec.map(ConfigSchema.FieldSpec::nested).orElse(null));
      }
    }
  }

  /** {@code text} with secrets and URL passwords replaced by {@code ****}. */
  String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String v : values) {
      out = out.replace(v, MASK);
    }
    Matcher m = URL_PASSWORD.matcher(out);
    return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK + r.group(3)));
  }

  /**
   * Masks a rendered config tree in place: string values under keys named like credentials become
   * {@code ****} (empty ones stay empty), every other string is {@link #redact}ed.
   */
  void maskTree(JsonNode node) {
    mask(node, false);
  }

  private void mask(JsonNode node, boolean sensitive) {
    if (node instanceof ObjectNode obj) {
      for (String k : obj.properties().stream().map(Map.Entry::getKey).toList()) {
        JsonNode v = obj.get(k);
        boolean s = sensitive || ConfigSchema.isSensitiveKey(k);
        if (v.isTextual()) {
          obj.set(k, maskText(v.asText(), s));
        } else {
          mask(v, s);
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        JsonNode v = arr.get(i);
        if (v.isTextual()) {
          arr.set(i, maskText(v.asText(), sensitive));
        } else {
          mask(v, sensitive);
        }
      }
    }
  }

  private TextNode maskText(String text, boolean sensitive) {
    if (sensitive) {
      return TextNode.valueOf(text.isEmpty() ? "" : MASK);
    }
    return TextNode.valueOf(redact(text));
  }

  private void addAllText(JsonNode v) {
    if (v.isTextual()) {
      add(v.asText());
    } else if (v.isContainerNode()) {
      v.forEach(this::addAllText);
    }
  }
}
