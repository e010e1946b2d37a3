package io.pumpd.app.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The test's own Lettuce connection (raw byte values, like the gateway writes them) to push
 * fixtures and inspect keys, for a single node or a Cluster.
 */
final class TestRedis implements AutoCloseable {
  private final io.lettuce.core.AbstractRedisClient client;
  private final StatefulConnection<String, byte[]> connection;
  private final RedisClusterCommands<String, byte[]> sync;

  private TestRedis(io.lettuce.core.AbstractRedisClient client,
      StatefulConnection<String, byte[]> connection, RedisClusterCommands<String, byte[]> sync) {
    this.client = client;
    this.connection = connection;
    this.sync = sync;
  }

  static TestRedis standalone(int port) {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
    var c = client.connect(RedisConnectionFactory.CODEC);
    return new TestRedis(client, c, c.sync());
  }

  static TestRedis cluster(List<String> addresses) {
    List<RedisURI> uris = addresses.stream()
        .map(a -> RedisURI.create("redis://" + a)).collect(Collectors.toList());
    RedisClusterClient client = RedisClusterClient.create(uris);
    var c = client.connect(RedisConnectionFactory.CODEC);
    return new TestRedis(client, c, c.sync());
  }

  RedisClusterCommands<String, byte[]> sync() {
    return sync;
  }

  /** RPUSHes {@code elements} in batches of 10 000. */
  void push(String key, List<byte[]> elements) {
    for (int from = 0; from < elements.size(); from += 10_000) {
      List<byte[]> part = elements.subList(from, Math.min(elements.size(), from + 10_000));
      sync.rpush(key, part.toArray(new byte[0][]));
    }
  }

  /** {@code count} distinct small elements {@code <tag>:<i>}. */
  static List<byte[]> elements(String tag, int count) {
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add((tag + ":" + i).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  static String text(byte[] element) {
    return new String(element, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
