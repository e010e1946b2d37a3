package io.pumpd.core.pump;

/**
 * Creates pumps of one Tyk type. Implementations are discovered with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.pumpd.core.pump.PumpFactory}) and keyed by {@link #type()}; they must
 * have a public no-argument constructor and be stateless.
 *
 * @param <S> the settings class the pump's {@code meta} object binds to (bound by {@link
 *     io.pumpd.core.config.ConfigLoader})
 */
public interface PumpFactory<S> {

  /** The Tyk type name, lower case: {@code elasticsearch}, {@code dogstatsd}, {@code stdout}, ... */
  String type();

  /**
   * The class {@code meta} binds to: JSON keys from {@code @JsonProperty}, env names from the JSON
   * key without underscores or from {@link io.pumpd.core.config.EnvName}. Defaults come from field
   * initializers. May implement {@link io.pumpd.core.config.SelfValidating}.
   */
  Class<S> settingsType();

  /**
   * Creates an uninitialized pump. Must not do I/O.
   *
   * @param name the instance name (the key under {@code pumps}), used in logs and metric tags
   * @param settings bound and validated settings
   */
  Pump create(String name, S settings);
}
