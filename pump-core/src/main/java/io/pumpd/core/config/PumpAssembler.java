package io.pumpd.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pumpd.core.text.ControlCharacters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the {@code pumps} section the way Tyk Pump does ({@code reference/tyk-pump.md} §4.1 and
 * §4.6): file pumps matched to env by their upper-cased key; pumps discovered from {@code
 * TYK_PMP_PUMPS_<NAME>_*} vars (the first token after the prefix is the name); a name that is a
 * Tyk type name forces the type; each pump's meta env prefix; each pump's {@code meta} overlaid
 * with its env and bound to the type's settings class. Not thread-safe; one per load.
 */
final class PumpAssembler {
  static final String PUMPS_PREFIX = ConfigLoader.ENV_PREFIX + "_PUMPS_";
  static final String META_ENV_PREFIX_KEY = "meta_env_prefix";

  /** A pump being assembled. */
  private static final class Draft {
    final String instance;
    final String envName;
    final ObjectNode entry;
    final boolean fromFile;
    boolean envTouched;
    String type = "";
    String metaPrefix = "";

    Draft(String instance, String envName, ObjectNode entry, boolean fromFile) {
      this.instance = instance;
      this.envName = envName;
      this.entry = entry;
      this.fromFile = fromFile;
    }

    String path() {
      return "pumps." + instance;
    }
  }

  /**
   * An assembled pump: its merged entry JSON (to bind as a {@link PumpEntry}) and its bound
   * settings.
   */
  record Assembled(
      String instance, String envName, String type, ObjectNode entry, Object settings,
      String metaPrefix, Class<?> settingsClass) {}

  private final PumpTypes types;
  private final LoadReport report;
  private final EnvView env;
  private final SchemaTree schema;
  private final SettingsBinder binder;

  PumpAssembler(
      PumpTypes types, LoadReport report, EnvView env, SchemaTree schema, SettingsBinder binder) {
    this.types = types;
    this.report = report;
    this.env = env;
    this.schema = schema;
    this.binder = binder;
  }

  /**
   * Assembles every pump from the file's {@code pumps} object (may be null) and the env.
   *
   * @return the pumps whose type is registered and whose meta bound, by instance name; the others
   *     have been reported as problems
   */
  Map<String, Assembled> assemble(JsonNode filePumps) {
    Map<String, Draft> byEnvName = new LinkedHashMap<>();
    readFilePumps(filePumps, byEnvName);
    for (String name : envPumpNames()) {
      applyEnv(name, byEnvName);
    }
    Map<String, Assembled> out = new LinkedHashMap<>();
    for (Draft d : byEnvName.values()) {
      if (!d.envTouched) {
        resolveFileOnly(d);
      }
    }
    warnSharedMetaPrefixes(byEnvName.values());
    for (Draft d : byEnvName.values()) {
      if (ControlCharacters.containsAny(d.instance)) {
        report.problem(d.path(), "a pump name must not contain control characters (line breaks,"
            + " escapes): it is written to logs and metrics; rename the pump", null);
      } else if (!d.type.isEmpty()) {
        bindMeta(d).ifPresent(a -> out.put(a.instance(), a));
      }
    }
    return out;
  }

  private void readFilePumps(JsonNode filePumps, Map<String, Draft> byEnvName) {
    if (filePumps == null) {
      return;
    }
    if (!filePumps.isObject()) {
      report.problem("pumps", "expected an object of pump name to pump settings", null);
      return;
    }
    for (Map.Entry<String, JsonNode> e : filePumps.properties()) {
      String key = e.getKey();
      String upper = key.toUpperCase(Locale.ROOT);
      if (!e.getValue().isObject()) {
        report.problem("pumps." + key, "expected an object", null);
        continue;
      }
      Draft clash = byEnvName.get(upper);
      if (clash != null) {
        report.problem("pumps." + key, "collides with pumps." + clash.instance
            + ": Tyk Pump upper-cases pump names, so both are " + upper, null);
        continue;
      }
      ObjectNode entry = schema.normalize(e.getValue(), PumpEntry.class, "pumps." + key, Set.of());
      byEnvName.put(upper, new Draft(key, upper, entry, true));
    }
  }

  /** The distinct upper-cased first tokens after {@code TYK_PMP_PUMPS_}, sorted. */
  private Set<String> envPumpNames() {
    Set<String> names = new TreeSet<>();
    for (String var : env.namesStartingWith(PUMPS_PREFIX)) {
      String[] tokens = var.substring(PUMPS_PREFIX.length()).split("_", -1);
      if (tokens.length >= 2 && !tokens[0].isEmpty()) {
        names.add(tokens[0].toUpperCase(Locale.ROOT));
      }
    }
    return names;
  }

  private void applyEnv(String name, Map<String, Draft> byEnvName) {
    String prefix = PUMPS_PREFIX + name;
    Draft d = byEnvName.get(name);
    boolean fromFile = d != null;
    if (d == null) {
      d = new Draft(
          name.toLowerCase(Locale.ROOT), name, JsonNodeFactory.instance.objectNode(), false);
    }
    String lower = name.toLowerCase(Locale.ROOT);
    Optional<String> typeVar = env.peek(prefix + "_TYPE");
    String fileType = d.entry.path("type").asText("");
    String type;
    if (PumpTypes.TYK_TYPE_NAMES.contains(lower) || types.registeredTypes().contains(lower)) {
      type = lower;
      String declared = typeVar.orElse(fileType);
      if (!declared.isEmpty() && !declared.equalsIgnoreCase(lower)) {
        String source = typeVar.isPresent()
            ? prefix + "_TYPE=" + declared : d.path() + ".type \"" + declared + "\"";
        report.warn(source + " is ignored: " + name + " is the name of the pump type " + lower
            + ", so TYK_PMP_PUMPS_" + name + "_* configures a " + lower
            + " pump (as in Tyk Pump); to configure a " + declared
            + " pump use another name, e.g. TYK_PMP_PUMPS_MY" + name + "_TYPE=" + declared);
      }
    } else if (typeVar.isPresent() && !typeVar.get().isEmpty()) {
      type = typeVar.get().toLowerCase(Locale.ROOT);
    } else if (!fileType.isEmpty()) {
      type = fileType.toLowerCase(Locale.ROOT);
    } else {
      List<String> vars = env.consumeAll(prefix + "_");
      report.warn("TYPE env var for pump " + name + " not found: " + String.join(", ", vars)
          + (vars.size() == 1 ? " is" : " are") + " ignored (set " + prefix + "_TYPE)");
      return;
    }
    schema.overlay(d.entry, PumpEntry.class, d.path(), prefix);
    schema.registerEnvNames(PumpEntry.class, d.path(), prefix);
    d.entry.put("type", type);
    d.type = type;
    d.envTouched = true;
    d.metaPrefix = prefix + "_META";
    if (!fromFile) {
      byEnvName.put(name, d);
    }
  }

  /**
   * Tyk's trap: {@code TYK_PMP_PUMPS_ELASTICSEARCH_META_X}, meant for a file pump {@code es-prod}
   * of type elasticsearch (whose default meta prefix it is), also creates a second pump named
   * ELASTICSEARCH. Kept as in Tyk Pump, but said out loud.
   */
  private void warnSharedMetaPrefixes(Iterable<Draft> drafts) {
    for (Draft envOnly : drafts) {
      if (envOnly.fromFile || !envOnly.envTouched) {
        continue;
      }
      for (Draft fileOnly : drafts) {
        if (fileOnly.fromFile && !fileOnly.envTouched
            && fileOnly.metaPrefix.equals(envOnly.metaPrefix)) {
          report.warn(envOnly.metaPrefix + "_* vars configure pumps." + fileOnly.instance
              + " and also create the pump " + envOnly.envName + " (as in Tyk Pump); to configure"
              + " only pumps." + fileOnly.instance + " set TYK_PMP_PUMPS_"
              + fileOnly.envName + "_META_* instead");
        }
      }
    }
  }

  /** A pump no env var touched: type from the file or the key, meta env from the type. */
  private void resolveFileOnly(Draft d) {
    String fileType = d.entry.path("type").asText("");
    d.type = (fileType.isEmpty() ? d.instance : fileType).toLowerCase(Locale.ROOT);
    d.entry.put("type", d.type);
    JsonNode custom = d.entry.path("meta").path(META_ENV_PREFIX_KEY);
    d.metaPrefix = custom.isTextual() && !custom.asText().isEmpty()
        ? custom.asText()
        : PUMPS_PREFIX + d.type.toUpperCase(Locale.ROOT) + "_META";
    schema.registerEnvNames(PumpEntry.class, d.path(), PUMPS_PREFIX + d.envName);
  }

  private Optional<Assembled> bindMeta(Draft d) {
    Optional<Class<?>> settingsClass = types.settingsType(d.type);
    if (settingsClass.isEmpty()) {
      report.problem(d.path() + ".type", unknownTypeMessage(d.type), null);
      env.consumeAll(d.metaPrefix + "_");
      return Optional.empty();
    }
    Class<?> cls = settingsClass.get();
    String metaPath = d.path() + ".meta";
    JsonNode rawMeta = d.entry.path("meta");
    ObjectNode meta = schema.normalize(
        rawMeta.isObject() ? rawMeta : JsonNodeFactory.instance.objectNode(), cls, metaPath,
        Set.of(META_ENV_PREFIX_KEY));
    if (d.envTouched) {
      meta.put(META_ENV_PREFIX_KEY, d.metaPrefix);
    }
    schema.overlay(meta, cls, metaPath, d.metaPrefix);
    schema.registerEnvNames(cls, metaPath, d.metaPrefix);
    d.entry.set("meta", meta);
    ObjectNode bindable = meta.deepCopy();
    bindable.remove(META_ENV_PREFIX_KEY);
    Optional<?> settings = binder.bind(bindable, cls, metaPath);
    settings.ifPresent(s -> binder.validate(s, metaPath));
    return settings.map(
        s -> new Assembled(d.instance, d.envName, d.type, d.entry, s, d.metaPrefix, cls));
  }

  private String unknownTypeMessage(String type) {
    String known = String.join(", ", new TreeSet<>(types.registeredTypes()));
    if (type.isEmpty()) {
      return "missing; set it to one of: " + known;
    }
    if (PumpTypes.TYK_TYPE_NAMES.contains(type)) {
      return "\"" + type + "\" is a Tyk Pump type that pumpd does not implement; implemented: "
          + known;
    }
    return "unknown pump type \"" + type + "\"; known types: " + known;
  }
}
