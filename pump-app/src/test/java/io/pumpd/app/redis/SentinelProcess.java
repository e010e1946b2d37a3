package io.pumpd.app.redis;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.pumpd.core.testing.RedisServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Sentinel ({@code redis-server <conf> --sentinel}) monitoring one master, with a
 * password on the sentinel itself. Sentinel needs a writable config file as its first argument,
 * which {@link RedisServerProcess} does not take, hence this small launcher.
 */
final class SentinelProcess implements AutoCloseable {
  final int port;
  private final Process process;
  private final Path dir;

  private SentinelProcess(int port, Process process, Path dir) {
    this.port = port;
    this.process = process;
    this.dir = dir;
  }

  static SentinelProcess start(String masterName, int masterPort, String masterPassword,
      String sentinelPassword) throws IOException {
    Path dir = Files.createTempDirectory("redis-sentinel");
    int port = RedisServerProcess.freePort();
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(conf, String.join("\n", List.of(
        "port " + port,
        "bind 127.0.0.1",
        "dir " + dir,
        "requirepass " + sentinelPassword,
        "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " 1",
        "sentinel auth-pass " + masterName + " " + masterPassword,
        "sentinel down-after-milliseconds " + masterName + " 60000", "")));
    Process p = new ProcessBuilder("redis-server", conf.toString(), "--sentinel")
        .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
    SentinelProcess s = new SentinelProcess(port, p, dir);
    RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(port)
        .withPassword(sentinelPassword.toCharArray()).build();
    RedisClient client = RedisClient.create();
    try {
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
        if (!p.isAlive()) {
          throw new AssertionError("sentinel exited: " + Files.readString(dir.resolve("sentinel.log")));
        }
        try (var c = client.connectSentinel(uri)) {
          InetSocketAddress master = (InetSocketAddress) c.sync().getMasterAddrByName(masterName);
          return master != null && master.getPort() == masterPort;
        }
      });
    } catch (RuntimeException | AssertionError e) {
      s.close();
      throw e;
    } finally {
      client.shutdown();
    }
    return s;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
