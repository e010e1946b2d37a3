package io.pumpd.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.config.ConfigSchema.FieldSpec;
import io.pumpd.core.config.ConfigSchema.Kind;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Works on config JSON trees with a class's {@link ConfigSchema}: {@link #normalize} turns a file
 * object into one keyed by the declared JSON names and holding only well-typed values, and {@link
 * #overlay} applies env vars onto such a tree, coercing them by field type as Tyk's envconfig does.
 * Everything wrong goes to the {@link LoadReport}; nothing throws for bad input. Not thread-safe;
 * one per load.
 */
final class SchemaTree {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final LoadReport report;
  private final EnvView env;

  SchemaTree(LoadReport report, EnvView env) {
    this.report = report;
    this.env = env;
  }

  /**
   * A copy of {@code node} keyed by the declared JSON names of {@code schema}, matched
   * case-insensitively like Go's {@code encoding/json} (the later of two duplicates wins). JSON
   * {@code null} is dropped (Go leaves the field as it was). Unknown keys are warned about and
   * dropped, except {@code extraKeys} which are kept. A value of the wrong type is a problem and is
   * dropped, so the default stays. Nested settings objects are normalized recursively.
   *
   * @param path the JSON path of {@code node} ({@code ""} for the top level)
   */
  ObjectNode normalize(JsonNode node, Class<?> schema, String path, Set<String> extraKeys) {
    ObjectNode out = NODES.objectNode();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      Optional<FieldSpec> spec = ConfigSchema.find(schema, key);
      if (spec.isEmpty()) {
        if (extraKeys.contains(key)) {
          out.set(key, value);
        } else {
          report.warn("unknown key " + join(path, key) + " is ignored");
        }
        continue;
      }
      FieldSpec f = spec.get();
      if (value.isNull()) {
        continue;
      }
      String fieldPath = join(path, f.json());
      String wrong = typeError(f, value);
      if (wrong != null) {
        report.problem(fieldPath, wrong, null);
        continue;
      }
      if (f.kind() == Kind.OBJECT) {
        value = normalize(value, f.nested(), fieldPath, Set.of());
      }
      out.set(f.json(), value);
    }
    return out;
  }

  /**
   * Records, for every field of {@code schema} under {@code path}, the env var {@code
   * <envPrefix>_<SEGMENT>} that sets it, so problems can name it. Reads no env.
   */
  void registerEnvNames(Class<?> schema, String path, String envPrefix) {
    for (FieldSpec f : ConfigSchema.fields(schema)) {
      String name = envPrefix + "_" + f.env();
      String fieldPath = join(path, f.json());
      report.registerEnv(fieldPath, name);
      if (f.kind() == Kind.OBJECT) {
        registerEnvNames(f.nested(), fieldPath, name);
      }
    }
  }

  /**
   * Applies {@code <envPrefix>_<SEGMENT>} vars onto {@code tree} (nested objects add {@code
   * _<SEGMENT>}), coercing each by its field's type. An unparsable value is a problem naming the
   * var; the tree keeps its previous value. A nested object is created only when a var sets
   * something in it.
   */
  void overlay(ObjectNode tree, Class<?> schema, String path, String envPrefix) {
    for (FieldSpec f : ConfigSchema.fields(schema)) {
      String name = envPrefix + "_" + f.env();
      String fieldPath = join(path, f.json());
      if (f.kind() == Kind.OBJECT) {
        JsonNode existing = tree.get(f.json());
        ObjectNode child = existing instanceof ObjectNode o ? o : NODES.objectNode();
        overlay(child, f.nested(), fieldPath, name);
        if (!child.isEmpty()) {
          tree.set(f.json(), child);
        }
        continue;
      }
      Optional<String> raw = env.take(name);
      if (raw.isEmpty()) {
        continue;
      }
      String value = raw.get();
      if (f.kind() == Kind.JSON || f.kind() == Kind.OTHER
          || (f.kind() == Kind.LIST || f.kind() == Kind.MAP) && f.element() == Kind.OTHER) {
        report.warn(name + " is ignored: " + fieldPath + " cannot be set from the environment");
        continue;
      }
      if (value.isEmpty() && isScalar(f.kind())
          && f.kind() != Kind.STRING && f.kind() != Kind.SECRET) {
        report.warn(name + " is empty and ignored");
        continue;
      }
      try {
        tree.set(f.json(), coerce(f, value));
      } catch (IllegalArgumentException e) {
        report.problem(fieldPath, quote(f, value) + " " + e.getMessage(), name);
      }
    }
  }

  private static JsonNode coerce(FieldSpec f, String value) {
    return switch (f.kind()) {
      case LIST -> {
        ArrayNode arr = NODES.arrayNode();
        for (String item : GoValues.splitList(value)) {
          arr.add(element(f, item));
        }
        yield arr;
      }
      case MAP -> {
        ObjectNode obj = NODES.objectNode();
        GoValues.splitMap(value).forEach((k, v) -> obj.set(k, element(f, v)));
        yield obj;
      }
      default -> scalar(f.kind(), value);
    };
  }

  /** One item of a list or map value; a bad one names itself (the caller quotes the whole value). */
  private static JsonNode element(FieldSpec f, String item) {
    try {
      return scalar(f.element(), item);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "(element " + (f.sensitive() ? "" : "\"" + item + "\" ") + e.getMessage() + ")", e);
    }
  }

  private static JsonNode scalar(Kind kind, String value) {
    return switch (kind) {
      case INT -> NODES.numberNode((int) GoValues.parseInt(value, 32));
      case LONG -> NODES.numberNode(GoValues.parseInt(value, 64));
      case DOUBLE -> NODES.numberNode(GoValues.parseFloat(value));
      case BOOLEAN -> NODES.booleanNode(GoValues.parseBool(value));
      default -> NODES.textNode(value);
    };
  }

  /** Null when {@code value} fits the field, else what was expected and what was found. */
  private static String typeError(FieldSpec f, JsonNode value) {
    return switch (f.kind()) {
      case LIST -> value.isArray() ? elementError(f, value) : mismatch("a list" + ofElements(f), value, f);
      case MAP -> value.isObject() ? elementError(f, value) : mismatch("an object" + ofElements(f), value, f);
      case OBJECT -> value.isObject() ? null : mismatch("an object", value, f);
      case JSON -> f.nested() == ObjectNode.class && !value.isObject()
          ? mismatch("an object", value, f)
          : f.nested() == ArrayNode.class && !value.isArray() ? mismatch("a list", value, f) : null;
      case OTHER -> null;
      default -> fits(f.kind(), value) ? null : mismatch(describe(f.kind()), value, f);
    };
  }

  private static String mismatch(String expected, JsonNode value, FieldSpec f) {
    return "expected " + expected + ", got " + found(value, f.sensitive());
  }

  /** The first element of a list or map value that does not fit the element kind, or null. */
  private static String elementError(FieldSpec f, JsonNode container) {
    if (f.element() == Kind.OTHER) {
      return null;
    }
    if (container.isArray()) {
      for (int i = 0; i < container.size(); i++) {
        JsonNode item = container.get(i);
        if (!fits(f.element(), item)) {
          return mismatch(describe(f.element()) + " at index " + i, item, f);
        }
      }
      return null;
    }
    for (Map.Entry<String, JsonNode> e : container.properties()) {
      if (!fits(f.element(), e.getValue())) {
        return mismatch(describe(f.element()) + " for key \"" + e.getKey() + "\"", e.getValue(), f);
      }
    }
    return null;
  }

  private static String ofElements(FieldSpec f) {
    return switch (f.element()) {
      case STRING, SECRET, ENUM -> " of strings";
      case INT, LONG -> " of integers";
      case DOUBLE -> " of numbers";
      case BOOLEAN -> " of booleans";
      default -> "";
    };
  }

  private static boolean fits(Kind kind, JsonNode v) {
    return switch (kind) {
      case STRING, SECRET, ENUM -> v.isTextual();
      case INT -> v.isNumber() && v.canConvertToExactIntegral() && v.canConvertToInt();
      case LONG -> v.isNumber() && v.canConvertToExactIntegral() && v.canConvertToLong();
      case DOUBLE -> v.isNumber();
      case BOOLEAN -> v.isBoolean();
      default -> true;
    };
  }

  private static String describe(Kind kind) {
    return switch (kind) {
      case STRING, SECRET, ENUM -> "a string";
      case INT -> "an integer";
      case LONG -> "an integer";
      case DOUBLE -> "a number";
      case BOOLEAN -> "true or false";
      default -> "a value";
    };
  }

  private static String found(JsonNode v, boolean sensitive) {
    if (v.isTextual()) {
      return sensitive ? "a string" : "\"" + abbreviate(v.asText()) + "\"";
    }
    if (v.isNumber() || v.isBoolean()) {
      return sensitive ? "a " + v.getNodeType().name().toLowerCase() : v.toString();
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isObject()) {
      return "an object";
    }
    return v.getNodeType().name().toLowerCase();
  }

  private static String quote(FieldSpec f, String value) {
    return f.sensitive() ? "the value" : "\"" + abbreviate(value) + "\"";
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static boolean isScalar(Kind kind) {
    return kind != Kind.LIST && kind != Kind.MAP;
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
