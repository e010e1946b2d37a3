package io.pumpd.core.config;

/**
 * One configured pump, ready to be created: its entry (type, filters, timeout, trimming options),
 * its {@code meta} bound to the type's settings class and validated, and where its env came from.
 * Immutable once loaded.
 *
 * @param name the instance name: the key under {@code pumps} as written in the file, or for a
 *     pump defined only by env the lower-cased {@code <NAME>} of {@code TYK_PMP_PUMPS_<NAME>_*}
 * @param type the lower-case Tyk type name
 * @param entry the entry, with file and env merged ({@code entry.meta()} is the merged meta JSON)
 * @param settings the bound settings, an instance of the type's settings class
 * @param metaEnvPrefix the prefix its meta env vars use, e.g. {@code TYK_PMP_PUMPS_ES_META}
 * @param envName the {@code <NAME>} its {@code TYK_PMP_PUMPS_<NAME>_*} vars use (the upper-cased
 *     key)
 */
public record LoadedPump(
    String name, String type, PumpEntry entry, Object settings, String metaEnvPrefix,
    String envName) {

  /** The settings as {@code type}; the factory's {@code settingsType()}. */
  public <S> S settings(Class<S> type) {
    return type.cast(settings);
  }
}
