package io.pumpd.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A throwaway Redis Cluster of three masters and no replicas, made of real {@code redis-server}
 * processes on loopback ({@code reference/test-backends.md} §3.3). It costs about 3 s to form, so
 * start it once per test class and {@link #flushAll()} between tests. Fails (never skips) when
 * {@code redis-server} or {@code redis-cli} is missing.
 *
 * <p>Ports are chosen below 55535 so that each node's cluster bus port ({@code port + 10000}) is
 * valid; both ports are checked free before a node starts, and the whole cluster is retried on a
 * clash. Each node gets its own {@code --dir}, where its {@code nodes.conf} lives (§3.4).
 */
public final class RedisClusterProcess implements AutoCloseable {
  private static final int MASTERS = 3;
  private static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

  private final List<RedisServerProcess> nodes;

  private RedisClusterProcess(List<RedisServerProcess> nodes) {
    this.nodes = nodes;
  }

  /** Starts three masters, joins them with {@code redis-cli --cluster create}, waits for state ok. */
  public static RedisClusterProcess start() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      List<RedisServerProcess> started = new ArrayList<>();
      try {
        for (int i = 0; i < MASTERS; i++) {
          started.add(RedisServerProcess.startOnPort(clusterPort(), List.of(
              "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
              "--cluster-node-timeout", "5000")));
        }
        RedisClusterProcess cluster = new RedisClusterProcess(List.copyOf(started));
        cluster.create();
        cluster.awaitStateOk();
        return cluster;
      } catch (IllegalStateException e) {
        started.forEach(RedisServerProcess::stop);
        last = e;
      }
    }
    throw last;
  }

  /** {@code 127.0.0.1:<port>} of every master, usable as {@code addrs} seeds. */
  public List<String> addresses() {
    return nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.toList());
  }

  public List<Integer> ports() {
    return nodes.stream().map(RedisServerProcess::port).collect(Collectors.toList());
  }

  /** Deletes every key on every master. */
  public void flushAll() {
    for (RedisServerProcess n : nodes) {
      String out = cli(List.of("-p", String.valueOf(n.port()), "flushall"));
      if (!out.trim().equals("OK")) {
        throw new IllegalStateException("FLUSHALL on " + n.port() + " answered: " + out);
      }
    }
  }

  private void create() {
    List<String> args = new ArrayList<>(List.of("--cluster", "create"));
    args.addAll(addresses());
    args.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    String out = cli(args);
    if (!out.contains("All 16384 slots covered")) {
      throw new IllegalStateException("redis-cli --cluster create failed: " + out + logs());
    }
  }

  private void awaitStateOk() {
    try {
      org.awaitility.Awaitility.await("cluster_state:ok on every node")
          .atMost(FORM_TIMEOUT)
          .pollInterval(java.time.Duration.ofMillis(100))
          .until(() -> nodes.stream().allMatch(n ->
              cli(List.of("-p", String.valueOf(n.port()), "cluster", "info"))
                  .contains("cluster_state:ok")));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IllegalStateException("cluster not ok within " + FORM_TIMEOUT + logs(), e);
    }
  }

  private String logs() {
    StringBuilder b = new StringBuilder();
    for (RedisServerProcess n : nodes) {
      b.append("\n--- node ").append(n.port()).append(" ---\n").append(n.log());
    }
    return b.toString();
  }

  private static String cli(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("redis-cli");
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("redis-cli timed out: " + cmd);
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run redis-cli (install redis-server, which brings it): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A port p in [20000, 55535) with p and p + 10000 both free right now. */
  private static int clusterPort() {
    for (int i = 0; i < 100; i++) {
      int p = ThreadLocalRandom.current().nextInt(20_000, 55_535);
      if (free(p) && free(p + 10_000)) {
        return p;
      }
    }
    throw new IllegalStateException("no free port pair (p, p + 10000) found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    nodes.forEach(RedisServerProcess::stop);
  }
}
