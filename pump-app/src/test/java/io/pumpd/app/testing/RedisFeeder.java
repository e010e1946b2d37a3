package io.pumpd.app.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.util.List;

/**
 * Pushes raw elements into Redis lists exactly as a gateway does ({@code RPUSH} of msgpack bytes)
 * and reads list lengths, for process tests. Not thread-safe; one per test thread.
 */
public final class RedisFeeder implements AutoCloseable {
  public static final String BASE_KEY = "analytics-tyk-system-analytics";

  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisCommands<String, byte[]> redis;

  public RedisFeeder(String host, int port) {
    client = RedisClient.create(RedisURI.create(host, port));
    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    redis = connection.sync();
  }

  /** RPUSHes the elements to {@code key} in batches of 500 (the gateway pipelines its pushes). */
  public void push(String key, List<byte[]> elements) {
    for (int i = 0; i < elements.size(); i += 500) {
      List<byte[]> part = elements.subList(i, Math.min(elements.size(), i + 500));
      redis.rpush(key, part.toArray(new byte[0][]));
    }
  }

  /** Total length of the eleven analytics lists. */
  public long backlog() {
    long n = redis.llen(BASE_KEY);
    for (int i = 0; i < 10; i++) {
      n += redis.llen(BASE_KEY + "_" + i);
    }
    return n;
  }

  public RedisCommands<String, byte[]> commands() {
    return redis;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
