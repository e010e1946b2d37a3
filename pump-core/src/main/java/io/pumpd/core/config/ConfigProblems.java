package io.pumpd.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration problems so that all of them can be reported at once. Not thread-safe.
 *
 * <p>{@link #under(String)} gives a view that prefixes keys, so an object can hand its nested
 * sections their own problems collector ({@code problems.under("bulk_config")}).
 */
public final class ConfigProblems {

  /**
   * One problem.
   *
   * @param key the JSON key relative to the object being validated (dotted for nested keys, {@code
   *     [i]} for list elements: {@code addrs[1]})
   * @param message what is wrong and, where useful, what is accepted. Never quote the value of a
   *     secret.
   */
  public record Problem(String key, String message) {}

  private final List<Problem> problems;
  private final String prefix;

  public ConfigProblems() {
    this(new ArrayList<>(), "");
  }

  private ConfigProblems(List<Problem> problems, String prefix) {
    this.problems = problems;
    this.prefix = prefix;
  }

  /** Records that {@code key} is wrong. */
  public ConfigProblems add(String key, String message) {
    problems.add(new Problem(prefix + key, message));
    return this;
  }

  /**
   * A view writing into the same list whose keys are prefixed with {@code section + "."}; e.g.
   * {@code under("bulk_config").add("workers", ...)} records {@code bulk_config.workers}.
   */
  public ConfigProblems under(String section) {
    return new ConfigProblems(problems, prefix + section + ".");
  }

  /** Every problem recorded through this collector or any of its views, in order. */
  public List<Problem> all() {
    return List.copyOf(problems);
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }
}
