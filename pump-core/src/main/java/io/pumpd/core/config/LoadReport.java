package io.pumpd.core.config;

import io.pumpd.core.text.ControlCharacters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Problems and warnings of one load, and the env var name of every JSON path seen, so that a
 * problem reported by a {@link SelfValidating} object (which knows only its JSON keys) can name
 * its env var too. Not thread-safe; one per load.
 */
final class LoadReport {
  private final List<ConfigException.Problem> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final Map<String, String> envByPath = new HashMap<>();

  /**
   * Records a problem at {@code path}. A null {@code env} is looked up in the registered names when
   * the problems are read, so a problem found before its section's names are registered (a wrong
   * JSON type in the file) still names its env var.
   */
  void problem(String path, String message, String env) {
    problems.add(new ConfigException.Problem(path, message, env));
  }

  void warn(String message) {
    warnings.add(message);
  }

  void registerEnv(String path, String env) {
    envByPath.put(path, env);
  }

  /** The env var for a JSON path ({@code [i]} list indexes ignored), or null. */
  String envFor(String path) {
    String plain = path.replaceAll("\\[[^]]*]", "");
    return envByPath.get(plain);
  }

  /** Copies the problems of a validated object found under {@code base} (empty for the top). */
  void addAll(String base, ConfigProblems found) {
    for (ConfigProblems.Problem p : found.all()) {
      String path = base.isEmpty() ? p.key() : p.key().isEmpty() ? base : base + "." + p.key();
      problem(path, p.message(), null);
    }
  }

  /** The problems so far, each naming its env var where one is known. */
  List<ConfigException.Problem> problems() {
    return problems.stream()
        .map(p -> p.env() != null ? p : new ConfigException.Problem(p.path(), p.message(), envFor(p.path())))
        .toList();
  }

  /**
   * The warnings so far, one line each: control characters (a key from the file) are escaped
   * here, after redaction, so a secret is masked whatever it contains.
   */
  List<String> warnings() {
    return warnings.stream().map(ControlCharacters::escape).toList();
  }

  boolean hasProblems() {
    return !problems.isEmpty();
  }

  /** Replaces every problem and warning by what {@code redactor} makes of it. */
  void redact(SecretRedactor redactor) {
    problems.replaceAll(
        p -> new ConfigException.Problem(p.path(), redactor.redact(p.message()), p.env()));
    warnings.replaceAll(redactor::redact);
  }
}
