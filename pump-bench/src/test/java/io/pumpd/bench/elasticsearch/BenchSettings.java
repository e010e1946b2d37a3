package io.pumpd.bench.elasticsearch;

/**
 * The knobs of one harness run, from system properties: {@code bench.records} (default 100 000),
 * {@code bench.bulkActions} (1000), {@code bench.bulkSize} (5 MiB), {@code bench.workers} (1),
 * {@code bench.flushInterval} (seconds, 1). The bulk values are the pump's {@code bulk_config} and
 * the bare loader's ingester settings alike.
 */
record BenchSettings(int records, int bulkActions, long bulkSize, int workers, int flushIntervalSeconds) {

  static BenchSettings fromSystemProperties() {
    return new BenchSettings(
        Integer.getInteger("bench.records", 100_000),
        Integer.getInteger("bench.bulkActions", 1000),
        Long.getLong("bench.bulkSize", 5L << 20),
        Integer.getInteger("bench.workers", 1),
        Integer.getInteger("bench.flushInterval", 1));
  }

  String bulkConfigJson() {
    return "{\"workers\":" + workers + ",\"flush_interval\":" + flushIntervalSeconds + ",\"bulk_actions\":"
        + bulkActions + ",\"bulk_size\":" + bulkSize + "}";
  }

  @Override
  public String toString() {
    return records + " records, bulk_actions " + bulkActions + ", bulk_size " + bulkSize + " B, workers " + workers
        + ", flush_interval " + flushIntervalSeconds + " s";
  }
}
