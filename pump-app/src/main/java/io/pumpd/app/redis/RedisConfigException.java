package io.pumpd.app.redis;

import io.pumpd.core.config.ConfigProblems;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code analytics_storage_config} cannot be used: every problem found, at once. Fatal at start
 * (exit status 2), as Tyk Pump treats an invalid storage config or unreadable TLS files.
 */
public final class RedisConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblems.Problem> problems;

  public RedisConfigException(List<ConfigProblems.Problem> problems) {
    super(problems.stream()
        .map(p -> "analytics_storage_config." + p.key() + ": " + p.message())
        .collect(Collectors.joining("; ")));
    this.problems = List.copyOf(problems);
  }

  /** The problems, keys relative to {@code analytics_storage_config}. */
  public List<ConfigProblems.Problem> problems() {
    return problems;
  }
}
