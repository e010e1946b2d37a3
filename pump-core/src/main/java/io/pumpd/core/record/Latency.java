package io.pumpd.core.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Request latency split in milliseconds ({@code Latency}). Older gateways write no {@code Gateway}
 * key; it then decodes as 0. Immutable.
 *
 * @param total msgpack {@code Total}
 * @param upstream msgpack {@code Upstream}
 * @param gateway msgpack {@code Gateway} (= total - upstream)
 */
@JsonPropertyOrder({"total", "upstream", "gateway"})
public record Latency(
    @JsonProperty("total") long total,
    @JsonProperty("upstream") long upstream,
    @JsonProperty("gateway") long gateway) {

  public static final Latency EMPTY = new Latency(0, 0, 0);
}
