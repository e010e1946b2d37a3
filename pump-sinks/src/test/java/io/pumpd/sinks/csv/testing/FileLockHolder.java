package io.pumpd.sinks.csv.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Another process holding an exclusive lock on a file, as another pumpd appending to the same
 * {@code csv_dir} does while it writes: a JVM started from the test's own classpath locks the file
 * with {@link FileChannel#lock()} (an {@code fcntl} record lock, the kind the csv pump takes) and
 * keeps it until {@link #close()} ends the process. Not thread-safe.
 */
public final class FileLockHolder implements AutoCloseable {
  private static final String LOCKED = "locked";
  private final Process process;

  private FileLockHolder(Process process) {
    this.process = process;
  }

  /** Returns once another process holds the lock on {@code file} (created if missing). */
  public static FileLockHolder lock(Path file) throws Exception {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
        FileLockHolder.class.getName(), file.toString())
        .redirectErrorStream(true)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String first = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        return e.toString();
      }
    }).get(60, TimeUnit.SECONDS);
    if (!LOCKED.equals(first)) {
      p.destroyForcibly();
      throw new IllegalStateException("the lock holder did not lock " + file + ": " + first);
    }
    return new FileLockHolder(p);
  }

  /** Ends the process, which releases the lock. */
  @Override
  public void close() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The other process: locks {@code args[0]}, says so, and holds the lock until its input ends. */
  public static void main(String[] args) throws IOException {
    try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      System.out.println(LOCKED);
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the lock
      }
    }
  }
}
