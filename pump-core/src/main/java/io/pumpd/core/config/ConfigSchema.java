package io.pumpd.core.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The binding schema of a config or settings class, read by reflection: every non-static field
 * carrying {@code @JsonProperty} (superclass fields included), with its JSON key, its env segment
 * ({@link EnvName}, else the JSON key without {@code _}, upper-cased, as Tyk's envconfig derives it
 * from the Go field name) and its kind. Immutable; schemas are cached per class.
 */
final class ConfigSchema {

  /** How a field is read from JSON and from an env value. */
  enum Kind {
    STRING,
    SECRET,
    INT,
    LONG,
    DOUBLE,
    BOOLEAN,
    /** A list, set or array of scalars (env: comma-separated); {@code element} gives their kind. */
    LIST,
    /** A map from string to a scalar (env: {@code k1:v1,k2:v2}); {@code element} gives the value kind. */
    MAP,
    /** A nested settings object (env: adds {@code _<SEGMENT>}). */
    OBJECT,
    /** Free-form JSON ({@code ObjectNode}): kept as is, cannot be set from env. */
    JSON,
    /** An enum: text in JSON and env. */
    ENUM,
    /** Anything else (e.g. a list of objects): left to Jackson, cannot be set from env. */
    OTHER
  }

  /**
   * One bindable field.
   *
   * @param json the JSON key
   * @param env the env segment, e.g. {@code ENABLESNIFFING}
   * @param kind how values are read
   * @param element the element kind of a LIST, the value kind of a MAP, else null
   * @param nested the class of an OBJECT field, the node class of a JSON field, else null
   * @param sensitive whether values must never be quoted (a {@link Secret}, or a key that names a
   *     password, token or key)
   */
  record FieldSpec(
      String json, String env, Kind kind, Kind element, Class<?> nested, boolean sensitive) {}

  /**
   * Keys (or env names) of credentials: containing password or secret, or ending in token, API
   * key, credentials, connection string or private key ({@code collector_token}, {@code
   * auth_api_key}, {@code AUTHAPIKEY}; not {@code auth_api_key_id} or {@code
   * token_refresh_before_expiry}).
   */
  private static final Pattern SENSITIVE_KEY =
      Pattern.compile(
          "(?i).*(password|passwd|secret).*|.*(token|api_?key|credentials?|connection_?string"
              + "|private_?key)");

  private static final ClassValue<List<FieldSpec>> CACHE =
      new ClassValue<>() {
        @Override
        protected List<FieldSpec> computeValue(Class<?> type) {
          return List.copyOf(read(type));
        }
      };

  private ConfigSchema() {}

  /** The bindable fields of {@code type}, superclass fields first. */
  static List<FieldSpec> fields(Class<?> type) {
    return CACHE.get(type);
  }

  /**
   * The field a JSON key binds to: the exact key first, then a case-insensitive match, as Go's
   * {@code encoding/json} and mapstructure match keys.
   */
  static Optional<FieldSpec> find(Class<?> type, String key) {
    List<FieldSpec> all = fields(type);
    for (FieldSpec f : all) {
      if (f.json().equals(key)) {
        return Optional.of(f);
      }
    }
    for (FieldSpec f : all) {
      if (f.json().equalsIgnoreCase(key)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Whether a key names a credential, so that its value must be masked wherever it is shown. */
  static boolean isSensitiveKey(String key) {
    return SENSITIVE_KEY.matcher(key).matches();
  }

  /** Whether {@code type} is a settings object (a class with at least one bindable field). */
  static boolean isSettingsObject(Class<?> type) {
    return !type.isPrimitive()
        && !type.isEnum()
        && !type.isArray()
        && !type.getName().startsWith("java.")
        && !JsonNode.class.isAssignableFrom(type)
        && type != Secret.class
        && !fields(type).isEmpty();
  }

  private static List<FieldSpec> read(Class<?> type) {
    List<FieldSpec> out = new ArrayList<>();
    if (type.getSuperclass() != null && type.getSuperclass() != Object.class) {
      out.addAll(read(type.getSuperclass()));
    }
    for (Field f : type.getDeclaredFields()) {
      JsonProperty prop = f.getAnnotation(JsonProperty.class);
      if (prop == null || Modifier.isStatic(f.getModifiers()) || f.isAnnotationPresent(JsonIgnore.class)) {
        continue;
      }
      String json = prop.value().isEmpty() ? f.getName() : prop.value();
      EnvName envName = f.getAnnotation(EnvName.class);
      String env =
          envName != null ? envName.value() : json.replace("_", "").toUpperCase(Locale.ROOT);
      Kind kind = kindOf(f.getType());
      Kind element = null;
      Class<?> nested = null;
      if (Collection.class.isAssignableFrom(f.getType())) {
        kind = Kind.LIST;
        element = scalarKind(typeArgument(f.getGenericType(), 0));
      } else if (f.getType().isArray()) {
        kind = Kind.LIST;
        element = scalarKind(f.getType().getComponentType());
      } else if (Map.class.isAssignableFrom(f.getType())) {
        Type keyType = typeArgument(f.getGenericType(), 0);
        element = scalarKind(typeArgument(f.getGenericType(), 1));
        kind = keyType == String.class && element != Kind.OTHER ? Kind.MAP : Kind.OTHER;
      } else if (kind == Kind.JSON) {
        nested = f.getType();
      } else if (kind == Kind.OTHER && isSettingsObject(f.getType())) {
        kind = Kind.OBJECT;
        nested = f.getType();
      }
      boolean sensitive = kind == Kind.SECRET || element == Kind.SECRET || isSensitiveKey(json);
      out.add(new FieldSpec(json, env, kind, element, nested, sensitive));
    }
    return out;
  }

  private static Type typeArgument(Type generic, int index) {
    if (generic instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
      return p.getActualTypeArguments()[index];
    }
    return Object.class;
  }

  private static Kind scalarKind(Type t) {
    if (!(t instanceof Class<?> c)) {
      return Kind.OTHER;
    }
    Kind k = kindOf(c);
    return switch (k) {
      case STRING, SECRET, INT, LONG, DOUBLE, BOOLEAN, ENUM -> k;
      default -> Kind.OTHER;
    };
  }

  private static Kind kindOf(Class<?> c) {
    if (c == String.class) {
      return Kind.STRING;
    }
    if (c == Secret.class) {
      return Kind.SECRET;
    }
    if (c == int.class || c == Integer.class) {
      return Kind.INT;
    }
    if (c == long.class || c == Long.class) {
      return Kind.LONG;
    }
    if (c == double.class || c == Double.class || c == float.class || c == Float.class
        || c == BigDecimal.class) {
      return Kind.DOUBLE;
    }
    if (c == boolean.class || c == Boolean.class) {
      return Kind.BOOLEAN;
    }
    if (c.isEnum()) {
      return Kind.ENUM;
    }
    if (JsonNode.class.isAssignableFrom(c)) {
      return Kind.JSON;
    }
    return Kind.OTHER;
  }
}
