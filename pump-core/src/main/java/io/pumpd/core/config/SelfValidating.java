package io.pumpd.core.config;

/**
 * A config or settings class that checks its own values after binding. The loader calls {@link
 * #validate} once and reports every problem of every section together, then exits with status 2.
 */
public interface SelfValidating {

  /**
   * Adds one entry per problem; never throws for a bad value.
   *
   * @param problems collects problems; keys are JSON keys relative to this object ({@code
   *     "bulk_config.flush_interval"}), which the loader turns into the full JSON path and env name
   */
  void validate(ConfigProblems problems);
}
