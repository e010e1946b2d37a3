package io.pumpd.core.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Model Context Protocol statistics ({@code MCPStats}). Immutable.
 *
 * @param isMcp msgpack {@code IsMCP}, json {@code is_mcp}
 * @param jsonRpcMethod msgpack {@code JSONRPCMethod}, json {@code jsonrpc_method}
 * @param primitiveType msgpack {@code PrimitiveType}, json {@code primitive_type}
 * @param primitiveName msgpack {@code PrimitiveName}, json {@code primitive_name}
 */
@JsonPropertyOrder({"is_mcp", "jsonrpc_method", "primitive_type", "primitive_name"})
public record McpStats(
    @JsonProperty("is_mcp") boolean isMcp,
    @JsonProperty("jsonrpc_method") String jsonRpcMethod,
    @JsonProperty("primitive_type") String primitiveType,
    @JsonProperty("primitive_name") String primitiveName) {

  public static final McpStats EMPTY = new McpStats(false, "", "", "");

  public McpStats {
    jsonRpcMethod = jsonRpcMethod == null ? "" : jsonRpcMethod;
    primitiveType = primitiveType == null ? "" : primitiveType;
    primitiveName = primitiveName == null ? "" : primitiveName;
  }
}
