package io.pumpd.core.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pump types this daemon can run and the settings class each binds its {@code meta} to. The
 * app implements it from the {@link java.util.ServiceLoader} of {@code
 * io.pumpd.core.pump.PumpFactory} ({@code type()} and {@code settingsType()}); tests pass their
 * own. Implementations must be immutable.
 */
public interface PumpTypes {

  /**
   * Every Tyk Pump type name ({@code pumps/init.go}), implemented here or not. An env pump whose
   * name is one of these gets that type whatever its {@code _TYPE} says, as in Tyk Pump ({@code
   * reference/tyk-pump.md} §4.6 point 4).
   */
  Set<String> TYK_TYPE_NAMES =
      Set.of(
          "dummy", "mongo", "mongo-pump-selective", "mongo-pump-aggregate", "mongo-graph",
          "mongo-mcp", "mongo-mcp-aggregate", "sql", "sql_aggregate", "sql-graph",
          "sql-graph-aggregate", "sql-mcp", "sql-mcp-aggregate", "csv", "elasticsearch", "influx",
          "influx2", "statsd", "dogstatsd", "prometheus", "segment", "graylog", "splunk", "logzio",
          "moesif", "kafka", "syslog", "stdout", "timestream", "sqs", "kinesis", "hybrid",
          "resurfaceio");

  /** The lower-case type names that can be configured, e.g. {@code elasticsearch}. */
  Set<String> registeredTypes();

  /**
   * The class {@code meta} of a pump of {@code type} binds to (see {@code
   * io.pumpd.core.pump.PumpFactory#settingsType()}), or empty when the type is not registered.
   */
  Optional<Class<?>> settingsType(String type);

  /** A fixed view over {@code settingsByType} (type name to settings class). */
  static PumpTypes of(Map<String, Class<?>> settingsByType) {
    Map<String, Class<?>> copy = new LinkedHashMap<>(settingsByType);
    return new PumpTypes() {
      @Override
      public Set<String> registeredTypes() {
        return Set.copyOf(copy.keySet());
      }

      @Override
      public Optional<Class<?>> settingsType(String type) {
        return Optional.ofNullable(copy.get(type));
      }
    };
  }
}
