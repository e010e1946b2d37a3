package io.pumpd.app.doctor;

import io.pumpd.app.PumpRegistry;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.core.config.LoadedConfig;
import io.pumpd.core.config.LoadedPump;
import io.pumpd.core.pump.PumpFactory;
import io.pumpd.core.pump.UptimeCapable;
import java.util.Collection;
import java.util.Optional;

/**
 * Which of the gateway's Redis lists the daemon drains under a configuration: the rule behind
 * {@code pump doctor}'s warning about a list that nothing drains and that has no TTL, so that it
 * grows until Redis runs out of memory. The rule is {@link #undrained} alone:
 *
 * <ul>
 *   <li>the msgpack and the protobuf analytics lists are always drained;
 *   <li>the uptime list is drained only when {@code dont_purge_uptime_data} is off and at least one
 *       configured pump accepts uptime records ({@link UptimeCapable}), as the daemon decides at
 *       start.
 * </ul>
 *
 * <p>Immutable.
 */
final class DrainedLists {
  private final AnalyticsKeys keys;
  private final boolean dontPurgeUptimeData;
  private final boolean anyPumpAcceptsUptime;

  /**
   * @param dontPurgeUptimeData the setting of that name
   * @param anyPumpAcceptsUptime whether a configured pump accepts uptime records
   */
  DrainedLists(AnalyticsKeys keys, boolean dontPurgeUptimeData, boolean anyPumpAcceptsUptime) {
    this.keys = keys;
    this.dontPurgeUptimeData = dontPurgeUptimeData;
    this.anyPumpAcceptsUptime = anyPumpAcceptsUptime;
  }

  /** The rule for what {@code loaded} configures, with the pump types of {@code registry}. */
  static DrainedLists of(AnalyticsKeys keys, LoadedConfig loaded, PumpRegistry registry) {
    return new DrainedLists(keys, loaded.configuration().dontPurgeUptimeData(),
        anyAcceptsUptime(loaded.pumps().values(), registry));
  }

  /**
   * Why nothing drains {@code list}, and what to do about it; empty when the daemon drains it.
   * The one place that decides.
   */
  Optional<String> undrained(String list) {
    if (!list.equals(keys.uptime())) {
      return Optional.empty();
    }
    String remedies = "add a pump that accepts uptime records (stdout does), set a TTL on the key,"
        + " or turn the gateway's uptime tests off (uptime_tests.disable)";
    if (dontPurgeUptimeData) {
      return Optional.of("dont_purge_uptime_data is set, so the daemon leaves uptime records in"
          + " Redis; unless something else reads them, unset it and " + remedies);
    }
    if (!anyPumpAcceptsUptime) {
      return Optional.of("no configured pump accepts uptime records; " + remedies);
    }
    return Optional.empty();
  }

  /**
   * Whether a pump of {@code pumps} accepts uptime records, told as the daemon tells it: by the
   * type of the pump its factory creates (creating one does no I/O; it is not initialized).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean anyAcceptsUptime(Collection<LoadedPump> pumps, PumpRegistry registry) {
    for (LoadedPump p : pumps) {
      Optional<PumpFactory<?>> factory = registry.factory(p.type());
      if (factory.isPresent()
          && ((PumpFactory) factory.get()).create(p.name(), p.settings()) instanceof UptimeCapable) {
        return true;
      }
    }
    return false;
  }
}
