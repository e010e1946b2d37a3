package io.pumpd.sinks.elasticsearch;

import org.junit.jupiter.api.DisplayName;

/** The {@link io.pumpd.core.pump.Pump} contract for the {@code elasticsearch} pump with {@code disable_bulk}. */
@DisplayName("elasticsearch pump, disable_bulk -> strict Elasticsearch stand-in: Pump contract")
class ElasticsearchDisableBulkPumpContractTest extends ElasticsearchPumpContractTest {
  @Override
  String extraMeta() {
    return "\"disable_bulk\":true";
  }
}
