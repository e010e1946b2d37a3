package io.pumpd.core.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Connection statistics ({@code Network}); zero for plain HTTP traffic. Immutable.
 *
 * @param openConnections msgpack {@code OpenConnections}
 * @param closedConnection msgpack {@code ClosedConnection} (singular in Go), json {@code closed_connections}
 * @param bytesIn msgpack {@code BytesIn}
 * @param bytesOut msgpack {@code BytesOut}
 */
@JsonPropertyOrder({"open_connections", "closed_connections", "bytes_in", "bytes_out"})
public record NetworkStats(
    @JsonProperty("open_connections") long openConnections,
    @JsonProperty("closed_connections") long closedConnection,
    @JsonProperty("bytes_in") long bytesIn,
    @JsonProperty("bytes_out") long bytesOut) {

  public static final NetworkStats EMPTY = new NetworkStats(0, 0, 0, 0);
}
