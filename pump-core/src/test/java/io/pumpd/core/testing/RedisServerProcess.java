package io.pumpd.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway real {@code redis-server} process on a free loopback port, without persistence. When
 * {@code redis-server} is not installed the constructor throws (tests fail, never skip: CI must
 * install it). {@link #stop()} kills it; {@link #restart()} starts a fresh one on the same port
 * (data lost, as with a Redis without persistence).
 */
public final class RedisServerProcess implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> extraArgs;
  private Process process;

  private RedisServerProcess(Path dir, int port, List<String> extraArgs) {
    this.dir = dir;
    this.port = port;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /** Starts a server and waits for PONG. */
  public static RedisServerProcess start() {
    return start(List.of());
  }

  /**
   * Starts a server with extra {@code redis-server} arguments (for example {@code --tls-port ...})
   * appended to the defaults, on a free port, and waits for PONG on the plain port.
   */
  public static RedisServerProcess start(List<String> extraArgs) {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return startOnPort(freePort(), extraArgs);
      } catch (IOException e) {
        last = new IllegalStateException(e);
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  /**
   * Starts a server on {@code port} (no retry: the caller picked the port, e.g. a Cluster node
   * whose bus port {@code port + 10000} must also be free) with extra arguments. Its working
   * directory ({@code --dir}) is a fresh temporary directory, so relative file names such as
   * {@code --cluster-config-file nodes.conf} land there.
   */
  public static RedisServerProcess startOnPort(int port, List<String> extraArgs) {
    try {
      RedisServerProcess r =
          new RedisServerProcess(Files.createTempDirectory("redis-test"), port, extraArgs);
      r.launch();
      return r;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  private void launch() {
    List<String> cmd = new ArrayList<>(List.of(
        "redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
    cmd.addAll(extraArgs);
    try {
      process = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile())
          .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run redis-server (install it: apt-get install -y redis-server): " + e.getMessage(), e);
    }
    try {
      org.awaitility.Awaitility.await("redis-server answering PING")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .failFast("redis-server exited at once", () -> !process.isAlive())
          .until(this::ping);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException(e.getMessage() + ": " + log(), e);
    }
  }

  /** True when the server answers PING. */
  public boolean ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.read(buf);
      return n >= 5 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills the server (like a crash); {@link #restart()} brings up an empty one on the same port. */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public void restart() {
    stop();
    launch();
  }

  /** The server's working directory (its log is {@code redis.log} there). */
  public Path dir() {
    return dir;
  }

  /** The server's log so far (for failure messages). */
  public String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** A free loopback port (small race: another process may take it before it is bound). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
