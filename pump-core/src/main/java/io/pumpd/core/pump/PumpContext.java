package io.pumpd.core.pump;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;

/**
 * What the core gives a pump at {@link Pump#init}. Immutable, thread-safe.
 *
 * @param name the instance name (key under {@code pumps})
 * @param type the Tyk type name
 * @param timeout the pump's {@code timeout}; {@link Duration#ZERO} when unset (no limit)
 * @param meterRegistry where the pump registers its own meters; tag them with {@link #tags()}
 */
public record PumpContext(String name, String type, Duration timeout, MeterRegistry meterRegistry) {

  /** {@code pump=<name>, type=<type>}: the tags every per-pump meter carries. */
  public Tags tags() {
    return Tags.of("pump", name, "type", type);
  }
}
