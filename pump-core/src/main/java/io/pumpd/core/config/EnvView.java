package io.pumpd.core.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The process environment as one load sees it, remembering which {@code TYK_PMP_*} variables
 * bound to something so the rest can be reported as unknown. Not thread-safe; one per load.
 */
final class EnvView {
  private final Map<String, String> env;
  private final Set<String> consumed = new HashSet<>();

  EnvView(Map<String, String> env) {
    this.env = new TreeMap<>(env);
  }

  /** The value of {@code name}, marking it as used. */
  Optional<String> take(String name) {
    String v = env.get(name);
    if (v != null) {
      consumed.add(name);
    }
    return Optional.ofNullable(v);
  }

  /** The value of {@code name} without marking it. */
  Optional<String> peek(String name) {
    return Optional.ofNullable(env.get(name));
  }

  /** Marks every set variable starting with {@code prefix} as used; returns their names. */
  List<String> consumeAll(String prefix) {
    List<String> names = namesStartingWith(prefix);
    consumed.addAll(names);
    return names;
  }

  /** Names of set variables starting with {@code prefix}, sorted. */
  List<String> namesStartingWith(String prefix) {
    List<String> out = new ArrayList<>();
    for (String k : env.keySet()) {
      if (k.startsWith(prefix)) {
        out.add(k);
      }
    }
    return out;
  }

  /** Names starting with {@code prefix} that bound to nothing, sorted. */
  List<String> unused(String prefix) {
    List<String> out = new ArrayList<>();
    for (String k : namesStartingWith(prefix)) {
      if (!consumed.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }

  /** Every set value, for redacting secrets that came from variables named like credentials. */
  Map<String, String> all() {
    return env;
  }
}
