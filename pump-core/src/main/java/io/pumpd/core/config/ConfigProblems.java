package io.pumpd.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration problems so that all of them can be reported at once. Not thread-safe.
 */
public final class ConfigProblems {

  /**
   * One problem.
   *
   * @param key the JSON key relative to the object being validated (dotted for nested keys)
   * @param message what is wrong and, where useful, what is accepted
   */
  public record Problem(String key, String message) {}

  private final List<Problem> problems = new ArrayList<>();

  /** Records that {@code key} is wrong. */
  public ConfigProblems add(String key, String message) {
    problems.add(new Problem(key, message));
    return this;
  }

  public List<Problem> all() {
    return List.copyOf(problems);
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }
}
