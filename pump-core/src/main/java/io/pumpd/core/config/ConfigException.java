package io.pumpd.core.config;

import io.pumpd.core.text.ControlCharacters;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration is unusable. Carries every problem found in one pass (file, env and every
 * pump's settings together), each naming the JSON key and the env var that sets it, plus the
 * warnings gathered before the failure. The daemon prints {@link #lines()} one per line and exits
 * with {@link #EXIT_STATUS}. Never contains a secret value.
 */
public final class ConfigException extends Exception {
  /** The process exit status for a bad configuration. */
  public static final int EXIT_STATUS = 2;

  /**
   * One problem.
   *
   * @param path the JSON path, e.g. {@code pumps.es.meta.version} or {@code purge_delay}; empty when
   *     the problem is about the file as a whole
   * @param message what is wrong and what is accepted
   * @param env the env var that sets this key, or null when there is none
   */
  public record Problem(String path, String message, String env) {
    /**
     * {@code pumps.es.meta.version: "9" is not supported (env TYK_PMP_PUMPS_ES_META_VERSION)}:
     * always one line, control characters in the path or message (a key or pump name from the
     * file) escaped ({@link ControlCharacters}).
     */
    public String render() {
      String head = path.isEmpty() ? message : path + ": " + message;
      return ControlCharacters.escape(env == null ? head : head + " (env " + env + ")");
    }

    @Override
    public String toString() {
      return render();
    }
  }

  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;
  private final List<String> warnings;

  ConfigException(List<Problem> problems, List<String> warnings) {
    super(
        problems.size()
            + (problems.size() == 1 ? " configuration problem:" : " configuration problems:")
            + problems.stream().map(p -> "\n  " + p.render()).collect(Collectors.joining()));
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  /** Every problem, in the order found. Never empty. */
  public List<Problem> problems() {
    return problems;
  }

  /** Each problem rendered as one line ({@link Problem#render()}). */
  public List<String> lines() {
    return problems.stream().map(Problem::render).toList();
  }

  /**
   * Warnings found before the failure (unknown keys, deprecated settings), for context; one line
   * each, as {@link LoadedConfig#warnings()}.
   */
  public List<String> warnings() {
    return warnings;
  }
}
