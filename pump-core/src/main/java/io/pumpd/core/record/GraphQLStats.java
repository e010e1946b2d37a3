package io.pumpd.core.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * GraphQL statistics ({@code GraphQLStats}). The Go struct has no json tags, so its JSON keys are
 * the Go field names. Lists and maps are {@code null} where the gateway wrote nil. Immutable.
 *
 * @param variables {@code Variables}
 * @param rootFields {@code RootFields}
 * @param types {@code Types}: type name to field names
 * @param errors {@code Errors}
 * @param operationType {@code OperationType}: 0 unknown, 1 query, 2 mutation, 3 subscription
 * @param hasErrors {@code HasErrors}
 * @param isGraphQL {@code IsGraphQL}
 */
@JsonPropertyOrder({
  "Variables", "RootFields", "Types", "Errors", "OperationType", "HasErrors", "IsGraphQL"
})
public record GraphQLStats(
    @JsonProperty("Variables") String variables,
    @JsonProperty("RootFields") List<String> rootFields,
    @JsonProperty("Types") Map<String, List<String>> types,
    @JsonProperty("Errors") List<GraphError> errors,
    @JsonProperty("OperationType") int operationType,
    @JsonProperty("HasErrors") boolean hasErrors,
    @JsonProperty("IsGraphQL") boolean isGraphQL) {

  public static final GraphQLStats EMPTY = new GraphQLStats("", null, null, null, 0, false, false);

  public GraphQLStats {
    variables = variables == null ? "" : variables;
  }

  /**
   * One GraphQL error.
   *
   * @param message msgpack {@code Message}, json {@code message}
   * @param path msgpack {@code Path}, json {@code path}: strings and integers ({@link Long}) mixed
   */
  @JsonPropertyOrder({"message", "path"})
  public record GraphError(
      @JsonProperty("message") String message, @JsonProperty("path") List<Object> path) {
    public GraphError {
      message = message == null ? "" : message;
    }
  }
}
