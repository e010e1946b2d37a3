package io.pumpd.app;

import io.pumpd.core.config.PumpTypes;
import io.pumpd.core.pump.PumpFactory;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pump types on the class path, found with {@link ServiceLoader} and keyed by their Tyk type
 * name (lower case). It is also the config loader's view of the pump types ({@link PumpTypes}).
 * Immutable after construction; thread-safe.
 */
public final class PumpRegistry implements PumpTypes {
  private final Map<String, PumpFactory<?>> factories = new TreeMap<>();

  /** Loads every {@link PumpFactory} visible to this class's loader. */
  public static PumpRegistry load() {
    PumpRegistry r = new PumpRegistry();
    for (PumpFactory<?> f : ServiceLoader.load(PumpFactory.class, PumpRegistry.class.getClassLoader())) {
      PumpFactory<?> previous = r.factories.put(f.type().toLowerCase(java.util.Locale.ROOT), f);
      if (previous != null) {
        throw new IllegalStateException("two pump factories claim type " + f.type() + ": "
            + previous.getClass().getName() + " and " + f.getClass().getName());
      }
    }
    return r;
  }

  /** Registered type names, sorted. */
  public Set<String> types() {
    return factories.keySet();
  }

  /** The same as {@link #types()}. */
  @Override
  public Set<String> registeredTypes() {
    return types();
  }

  /** The factory for {@code type} (case-insensitive). */
  public Optional<PumpFactory<?>> factory(String type) {
    return Optional.ofNullable(factories.get(type.toLowerCase(java.util.Locale.ROOT)));
  }

  /** The settings class of {@code type}, for binding its {@code meta}. */
  @Override
  public Optional<Class<?>> settingsType(String type) {
    return factory(type).map(PumpFactory::settingsType);
  }
}
