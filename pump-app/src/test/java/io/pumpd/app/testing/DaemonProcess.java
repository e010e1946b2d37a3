package io.pumpd.app.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * The packaged daemon ({@code pump-app/target/pumpd-all.jar}) started as an operator starts it: a
 * separate JVM with arguments and environment variables. Captures standard output (records from
 * the stdout pump) and standard error (logs) in files, read line by line. The jar path comes from the {@code
 * pump.jar} system property (set by failsafe), so process tests are {@code *IT} classes that run
 * after {@code package}.
 *
 * <p>Usage: {@code try (DaemonProcess d = DaemonProcess.start(List.of("-c", conf), env)) {...}}.
 * {@link #close()} kills the process if it is still running.
 */
public final class DaemonProcess implements AutoCloseable {
  private final Process process;
  private final OutputFile stdout;
  private final OutputFile stderr;

  private DaemonProcess(Process process, Path out, Path err) {
    this.process = process;
    this.stdout = new OutputFile(out);
    this.stderr = new OutputFile(err);
  }

  /**
   * The jar under test; fails when it has not been built. Environment variable {@code PUMP_IT_JAR}
   * runs the process tests against another build instead (e.g. an earlier commit's, to see a test
   * fail without the change it covers); {@code bin/pump} is then taken from that build's checkout.
   */
  public static Path jar() {
    String other = System.getenv("PUMP_IT_JAR");
    String prop = other != null && !other.isBlank() ? other
        : System.getProperty("pump.jar", "target/pumpd-all.jar");
    Path jar = Path.of(prop);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " not found: run `mvn verify` "
          + "(process tests run after `package`)");
    }
    return jar;
  }

  /**
   * Starts {@code java -jar pumpd-all.jar <args>} in {@code workDir} with exactly {@code env} plus
   * PATH and JAVA_HOME (no other variables leak in, so {@code TYK_PMP_*} come only from the test).
   */
  public static DaemonProcess start(List<String> args, Map<String, String> env, Path workDir)
      throws IOException {
    return start(List.of("-Xmx256m"), args, env, workDir);
  }

  /** As {@link #start(List, Map, Path)} with the given JVM options instead of {@code -Xmx256m}. */
  public static DaemonProcess start(List<String> jvmOptions, List<String> args,
      Map<String, String> env, Path workDir) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(jar().toAbsolutePath().toString());
    cmd.addAll(args);
    return launch(cmd, env, workDir);
  }

  /**
   * Starts the daemon through the launcher an operator uses, {@code bin/pump} (its default JVM
   * options, {@code -Xmx512m -XX:+ExitOnOutOfMemoryError}, unless {@code env} sets {@code
   * PUMP_JAVA_OPTS}), on the packaged jar.
   */
  public static DaemonProcess startWithLauncher(List<String> args, Map<String, String> env,
      Path workDir) throws IOException {
    Path launcher = jar().toAbsolutePath().getParent().getParent().getParent().resolve("bin/pump");
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher.toString());
    cmd.addAll(args);
    Map<String, String> e = new java.util.HashMap<>(env);
    e.put("JAVA", javaBinary());
    e.put("PUMP_JAR", jar().toAbsolutePath().toString());
    return launch(cmd, e, workDir);
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static DaemonProcess launch(List<String> cmd, Map<String, String> env, Path workDir)
      throws IOException {
    // Files, not pipes: the JDK may close a pipe under a reader when the process exits.
    Path logs = Files.createTempDirectory(workDir, "daemon-");
    Path out = logs.resolve("stdout.txt");
    Path err = logs.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> e = pb.environment();
    String path = e.get("PATH");
    e.clear();
    if (path != null) {
      e.put("PATH", path);
    }
    e.putAll(env);
    return new DaemonProcess(pb.start(), out, err);
  }

  /** Complete lines written so far to a file the process appends to. */
  private static final class OutputFile {
    private final Path path;

    OutputFile(Path path) {
      this.path = path;
    }

    List<String> lines() {
      try {
        String text = Files.readString(path, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end).lines().toList();
      } catch (IOException ex) {
        throw new java.io.UncheckedIOException(ex);
      }
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The file standard output goes to (for tests that read it incrementally). */
  public java.nio.file.Path stdoutFile() {
    return stdout.path;
  }

  /** Lines printed on standard output so far. */
  public List<String> stdout() {
    return stdout.lines();
  }

  /** Log lines (standard error) so far. */
  public List<String> logs() {
    return stderr.lines();
  }

  /** Waits until a log line matches, failing with the whole log on timeout. */
  public String awaitLog(Predicate<String> match, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
        .alias("a matching log line")
        .failFast("daemon exited", () -> !process.isAlive() && logs().stream().noneMatch(match))
        .until(() -> logs().stream().anyMatch(match));
    return logs().stream().filter(match).findFirst().orElseThrow();
  }

  /** Waits until standard output has at least {@code n} lines. */
  public void awaitStdoutLines(int n, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100))
        .alias(n + " stdout lines")
        .failFast("daemon exited; log:\n" + String.join("\n", logs()),
            () -> !process.isAlive() && stdout().size() < n)
        .until(() -> stdout().size() >= n);
  }

  /** Sends SIGTERM (what Kubernetes and systemd send). */
  public void sigterm() {
    process.destroy();
  }

  /** Sends a signal by name with {@code kill}, e.g. {@code "INT"}. */
  public void signal(String name) throws IOException, InterruptedException {
    // the shell's built-in kill: present even where procps (/usr/bin/kill) is not installed
    Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " failed");
    }
  }

  /** SIGKILL. */
  public void kill9() {
    process.destroyForcibly();
  }

  /**
   * Waits for the process to exit and for its output to be read completely.
   *
   * @return the exit status
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("daemon still running after " + timeout + "; log:\n"
          + String.join("\n", logs()));
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
