package io.pumpd.app.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * The packaged daemon ({@code pump-app/target/pumpd-all.jar}) started as an operator starts it: a
 * separate JVM with arguments and environment variables. Captures standard output (records from
 * the stdout pump) and standard error (logs) line by line. The jar path comes from the {@code
 * pump.jar} system property (set by failsafe), so process tests are {@code *IT} classes that run
 * after {@code package}.
 *
 * <p>Usage: {@code try (DaemonProcess d = DaemonProcess.start(List.of("-c", conf), env)) {...}}.
 * {@link #close()} kills the process if it is still running.
 */
public final class DaemonProcess implements AutoCloseable {
  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final Thread[] readers = new Thread[2];

  private DaemonProcess(Process process) {
    this.process = process;
    readers[0] = pump(process.getInputStream(), stdout, "daemon-stdout");
    readers[1] = pump(process.getErrorStream(), stderr, "daemon-stderr");
  }

  /** The jar under test; fails when it has not been built. */
  public static Path jar() {
    String prop = System.getProperty("pump.jar", "target/pumpd-all.jar");
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
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-jar");
    cmd.add(jar().toAbsolutePath().toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    Map<String, String> e = pb.environment();
    String path = e.get("PATH");
    e.clear();
    if (path != null) {
      e.put("PATH", path);
    }
    e.putAll(env);
    return new DaemonProcess(pb.start());
  }

  private static Thread pump(InputStream in, List<String> sink, String name) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          sink.add(line);
        }
      } catch (IOException e) {
        sink.add("<<stream error: " + e + ">>");
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Lines printed on standard output so far. */
  public List<String> stdout() {
    return List.copyOf(stdout);
  }

  /** Log lines (standard error) so far. */
  public List<String> logs() {
    return List.copyOf(stderr);
  }

  /** Waits until a log line matches, failing with the whole log on timeout. */
  public String awaitLog(Predicate<String> match, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
        .alias("log line in:\n" + String.join("\n", stderr))
        .until(() -> stderr.stream().anyMatch(match) || !process.isAlive() && stderrDrained()
            && stderr.stream().anyMatch(match));
    return stderr.stream().filter(match).findFirst().orElseThrow();
  }

  /** Waits until standard output has at least {@code n} lines. */
  public void awaitStdoutLines(int n, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
        .alias(stdout.size() + " stdout lines, wanted " + n + "; log:\n" + String.join("\n", stderr))
        .until(() -> stdout.size() >= n);
  }

  private boolean stderrDrained() {
    return !readers[1].isAlive();
  }

  /** Sends SIGTERM (what Kubernetes and systemd send). */
  public void sigterm() {
    process.destroy();
  }

  /** Sends a signal by name with {@code kill}, e.g. {@code "INT"}. */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
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
          + String.join("\n", stderr));
    }
    for (Thread t : readers) {
      t.join(5000);
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
