package io.pumpd.core.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded, validated configuration: the top-level settings, every pump with its bound settings,
 * and the warnings to log (unknown keys, unknown env vars, deprecated or unsupported settings, a
 * missing config file). Immutable; safe to share after loading. Warnings never contain secrets.
 *
 * @param configuration the top-level settings; {@code configuration().pumps()} holds the same
 *     entries as {@link #pumps()}
 * @param pumps pumps by instance name: file pumps in file order, then env-only pumps by name
 * @param warnings one line each (control characters escaped), in the order found; the caller
 *     logs them at WARN
 * @param configFile the file that was read, or empty when it was skipped or missing
 */
public record LoadedConfig(
    PumpConfiguration configuration,
    Map<String, LoadedPump> pumps,
    List<String> warnings,
    Optional<String> configFile) {

  public LoadedConfig {
    pumps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pumps));
    warnings = List.copyOf(warnings);
  }
}
