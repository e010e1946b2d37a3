package io.pumpd.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads the configuration exactly as Tyk Pump does ({@code reference/tyk-pump.md} §4): the JSON
 * file (keys matched case-insensitively), then {@code TYK_PMP_*} env over it (names from Go field
 * names, see {@link EnvName}), then pumps defined or touched by {@code TYK_PMP_PUMPS_<NAME>_*},
 * then each pump's {@code meta} with its meta env prefix bound to the type's settings class.
 * Precedence: file &lt; env. For Redis: file &lt; {@code TYK_PMP_ANALYTICSSTORAGECONFIG_*} &lt;
 * {@code TYK_PMP_REDIS_*} (deprecated) &lt; {@code TYK_PMP_TEMPORAL_STORAGE_*}.
 *
 * <p>Deliberate differences from Tyk Pump, all in the direction of failing loudly:
 *
 * <ul>
 *   <li>A config file that exists but is unreadable or not valid JSON is a problem (Tyk logs it
 *       and runs on defaults). A missing file is a warning, and startup continues with env only,
 *       as in Tyk.
 *   <li>A value of the wrong JSON type, an unparsable env value, an unknown pump type and any
 *       {@link SelfValidating} complaint are problems; all are collected and thrown together as
 *       one {@link ConfigException} (exit status 2). Tyk ignores most of these.
 *   <li>Unknown keys and unknown {@code TYK_PMP_*} vars are warnings (Tyk ignores them silently).
 *   <li>Env list items and map entries are trimmed of spaces.
 * </ul>
 *
 * <p>The loader does no logging: it returns warnings (or throws them with the problems) for the
 * caller to log. Neither ever contains a secret value. Thread-safe: each {@link #load} call uses
 * its own state.
 */
public final class ConfigLoader {
  /** Tyk Pump's env prefix. */
  public static final String ENV_PREFIX = "TYK_PMP";

  /** The default {@code --conf}. */
  public static final String DEFAULT_CONFIG_FILE = "pump.conf";

  static final String OMIT_CONFIG_FILE_VAR = ENV_PREFIX + "_OMITCONFIGFILE";
  private static final String STORAGE = "analytics_storage_config";
  /** Read by the app, not by the config: demo mode. */
  private static final Set<String> APP_VARS = Set.of(ENV_PREFIX + "_BUILDDEMODATA");

  private final PumpTypes types;

  /** @param types the pump types that can be configured, with their settings classes */
  public ConfigLoader(PumpTypes types) {
    this.types = types;
  }

  /**
   * Loads, binds and validates the whole configuration.
   *
   * @param configFile the {@code --conf} path; it may not exist (a warning; env only)
   * @param env the environment ({@code System.getenv()} in production)
   * @return the configuration with every pump bound, and the warnings to log
   * @throws ConfigException with every problem found; the caller prints {@link
   *     ConfigException#lines()} and exits with {@link ConfigException#EXIT_STATUS}
   */
  public LoadedConfig load(Path configFile, Map<String, String> env) throws ConfigException {
    LoadReport report = new LoadReport();
    EnvView envView = new EnvView(env);
    SchemaTree schema = new SchemaTree(report, envView);
    SettingsBinder binder = new SettingsBinder(report);

    Optional<ObjectNode> file = readFile(configFile, envView, report);
    boolean fileFailed = file.isEmpty() && report.hasProblems();
    ObjectNode fileTree = file.orElseGet(JsonNodeFactory.instance::objectNode);

    ObjectNode top = schema.normalize(fileTree, PumpConfiguration.class, "", Set.of());
    JsonNode filePumps = top.remove("pumps");
    schema.overlay(top, PumpConfiguration.class, "", ENV_PREFIX);
    schema.registerEnvNames(PumpConfiguration.class, "", ENV_PREFIX);
    report.registerEnv("pumps", PumpAssembler.PUMPS_PREFIX + "<NAME>_TYPE");
    applyStorageAliases(top, schema, envView, report);
    applyLogOverrides(top, envView, report);
    noteUnsupportedEnv(envView, report);

    PumpAssembler assembler = new PumpAssembler(types, report, envView, schema, binder);
    Map<String, PumpAssembler.Assembled> assembled = assembler.assemble(filePumps);
    ObjectNode pumpsNode = top.putObject("pumps");
    assembled.forEach((name, a) -> pumpsNode.set(name, a.entry()));
    if (assembled.isEmpty() && !fileFailed && !hasPumpProblems(report)) {
      report.problem("pumps", "no pumps configured (Tyk Pump: \"No pumps configured\")", null);
    }

    ConfigAdvisories advisories = new ConfigAdvisories(report);
    advisories.checkKvReferences(top, "");
    Optional<PumpConfiguration> config = binder.bind(top, PumpConfiguration.class, "");
    config.ifPresent(c -> {
      binder.validate(c, "");
      advisories.check(c, fileTree);
    });
    for (String unknown : envView.unused(ENV_PREFIX + "_")) {
      if (!APP_VARS.contains(unknown)) {
        report.warn("env var " + unknown + " matches no setting and is ignored");
      }
    }

    SecretRedactor redactor = new SecretRedactor();
    redactor.addSensitiveEnv(env);
    redactor.collect(top, PumpConfiguration.class);
    assembled.values().forEach(a -> redactor.collect(a.entry().path("meta"), a.settingsClass()));
    redactor.collect(fileTree, PumpConfiguration.class);
    report.redact(redactor);

    if (report.hasProblems() || config.isEmpty()) {
      throw new ConfigException(report.problems(), report.warnings());
    }
    Map<String, LoadedPump> pumps = new LinkedHashMap<>();
    assembled.forEach((name, a) -> pumps.put(name, new LoadedPump(
        name, a.type(), config.get().pumps().get(name), a.settings(), a.metaPrefix(),
        a.envName())));
    Optional<String> used = file.isPresent() ? Optional.of(configFile.toString()) : Optional.empty();
    return new LoadedConfig(config.get(), pumps, report.warnings(), used);
  }

  /**
   * The file's top-level object; empty when it is skipped ({@code TYK_PMP_OMITCONFIGFILE=true}),
   * missing or empty (warnings) or unreadable or invalid (problems).
   */
  private static Optional<ObjectNode> readFile(Path file, EnvView env, LoadReport report) {
    Optional<String> omit = env.peek(OMIT_CONFIG_FILE_VAR);
    if (omit.isPresent() && omit.get().equalsIgnoreCase("true")) {
      return Optional.empty();
    }
    if (omit.isPresent() && isGoTrue(omit.get())) {
      report.warn(OMIT_CONFIG_FILE_VAR + "=" + omit.get() + " does not skip the config file: Tyk"
          + " Pump skips it only for \"true\"");
    }
    if (!Files.exists(file)) {
      report.warn("config file " + file + " not found; using defaults and TYK_PMP_* env only");
      return Optional.empty();
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      report.problem("", "config file " + file + " cannot be read: " + e, null);
      return Optional.empty();
    }
    if (text.isBlank()) {
      report.warn("config file " + file + " is empty; using defaults and TYK_PMP_* env only");
      return Optional.empty();
    }
    JsonNode tree;
    try {
      tree = SettingsBinder.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      report.problem("", "config file " + file + " is not valid JSON" + where + ": "
          + withoutTokens(e.getOriginalMessage()), null);
      return Optional.empty();
    }
    if (tree == null || tree.isNull() || tree.isMissingNode()) {
      return Optional.of(JsonNodeFactory.instance.objectNode());
    }
    if (!tree.isObject()) {
      report.problem("", "config file " + file + " must hold a JSON object, not a "
          + tree.getNodeType().name().toLowerCase(Locale.ROOT), null);
      return Optional.empty();
    }
    return Optional.of((ObjectNode) tree);
  }

  /** TYK_PMP_REDIS_* (deprecated) then TYK_PMP_TEMPORAL_STORAGE_* over the storage section. */
  private static void applyStorageAliases(
      ObjectNode top, SchemaTree schema, EnvView env, LoadReport report) {
    ObjectNode storage = top.has(STORAGE) ? (ObjectNode) top.get(STORAGE) : top.putObject(STORAGE);
    List<String> used = new ArrayList<>(env.unused(ENV_PREFIX + "_REDIS_"));
    schema.overlay(storage, StorageConfig.class, STORAGE, ENV_PREFIX + "_REDIS");
    used.removeAll(env.unused(ENV_PREFIX + "_REDIS_"));
    if (!used.isEmpty()) {
      report.warn(String.join(", ", used) + (used.size() == 1 ? " is" : " are")
          + " deprecated; use TYK_PMP_TEMPORAL_STORAGE_* or TYK_PMP_ANALYTICSSTORAGECONFIG_*");
    }
    schema.overlay(storage, StorageConfig.class, STORAGE, ENV_PREFIX + "_TEMPORAL_STORAGE");
  }

  /** {@code TYK_LOGLEVEL} and {@code TYK_LOGFORMAT} override the config, as in Tyk Pump. */
  private static void applyLogOverrides(ObjectNode top, EnvView env, LoadReport report) {
    for (String[] o : new String[][] {{"TYK_LOGLEVEL", "log_level"}, {"TYK_LOGFORMAT", "log_format"}}) {
      Optional<String> v = env.peek(o[0]).filter(s -> !s.isEmpty());
      if (v.isPresent()) {
        top.put(o[1], v.get());
        report.registerEnv(o[1], o[0]);
      }
    }
  }

  /** Env for Tyk features pumpd does not have: warned about once, not as unknown vars. */
  private static void noteUnsupportedEnv(EnvView env, LoadReport report) {
    List<String> uptime = env.consumeAll(ENV_PREFIX + "_UPTIMEPUMPCONFIG_");
    if (!uptime.isEmpty()) {
      report.warn(String.join(", ", uptime) + ": uptime_pump_config is not supported (no Mongo or"
          + " SQL uptime pump); ignored");
    }
    if (env.take(ENV_PREFIX + "_KV_STORES").isPresent()) {
      report.warn(ENV_PREFIX + "_KV_STORES: kv stores are not supported; ignored");
    }
  }

  private static boolean hasPumpProblems(LoadReport report) {
    return report.problems().stream().anyMatch(p -> p.path().startsWith("pumps"));
  }

  private static boolean isGoTrue(String s) {
    try {
      return GoValues.parseBool(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A parser message without quoted source tokens, which could be an unquoted secret. */
  private static String withoutTokens(String message) {
    return message == null ? "" : message.replaceAll("'[^']{2,}'", "'…'").replaceAll("\\s+", " ");
  }
}
