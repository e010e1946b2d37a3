package io.pumpd.app.chaos;

import java.time.Duration;

/**
 * How big a chaos run is: {@code reduced} (the default, for CI: a few minutes for the whole suite)
 * or {@code full} ({@code -Dchaos.size=full}, or the {@code chaos-full} Maven profile: a million
 * records, kills every few seconds, a sink stopped for minutes). Single values can be overridden
 * with {@code -Dchaos.records=...} etc.
 *
 * @param records records the gateway pushes during a run
 * @param ratePerSecond the gateway's push rate
 * @param killEvery mean time between two kill -9 of the daemon
 * @param outage how long a sink stays down
 * @param gatewayTtl the TTL the simulated gateway sets on its lists (Tyk: 60 s)
 * @param drainRecords the backlog drained under {@code -Xmx256m}
 */
record ChaosSize(String name, int records, int ratePerSecond, Duration killEvery, Duration outage,
    Duration gatewayTtl, int drainRecords) {

  static final ChaosSize REDUCED = new ChaosSize("reduced", 60_000, 2_000, Duration.ofSeconds(2),
      Duration.ofSeconds(20), Duration.ofSeconds(5), 100_000);
  static final ChaosSize FULL = new ChaosSize("full", 1_000_000, 5_000, Duration.ofSeconds(5),
      Duration.ofMinutes(3), Duration.ofSeconds(10), 1_000_000);

  /** The size the system properties ask for. */
  static ChaosSize current() {
    ChaosSize base = "full".equals(System.getProperty("chaos.size")) ? FULL : REDUCED;
    return new ChaosSize(base.name,
        Integer.getInteger("chaos.records", base.records),
        Integer.getInteger("chaos.rate", base.ratePerSecond),
        Duration.ofMillis(Long.getLong("chaos.killEveryMs", base.killEvery.toMillis())),
        Duration.ofSeconds(Long.getLong("chaos.outageSeconds", base.outage.toSeconds())),
        Duration.ofSeconds(Long.getLong("chaos.gatewayTtlSeconds", base.gatewayTtl.toSeconds())),
        Integer.getInteger("chaos.drainRecords", base.drainRecords));
  }

  /** How long the gateway needs to push {@link #records()}. */
  Duration pushTime() {
    return Duration.ofMillis(1000L * records / ratePerSecond);
  }
}
