package io.pumpd.app.redis.stream;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.pumpd.app.redis.RedisConnectionFactory;
import io.pumpd.core.codec.MsgpackRecordEncoder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The test's own view of Redis, playing the gateway: pushes gateway-encoded records whose {@code
 * APIKey} is a unique {@code <tag>-<i>} (so a sink's received set can be checked record by
 * record), and inspects keys.
 */
final class GatewayRedis implements AutoCloseable {
  private static final MsgpackRecordEncoder ENCODER = new MsgpackRecordEncoder();
  private static final AnalyticsRecord TEMPLATE = Fixtures.records(Fixtures.MODERN).get(0);

  private final AbstractRedisClient client;
  private final StatefulConnection<String, byte[]> connection;
  private final RedisClusterCommands<String, byte[]> sync;

  private GatewayRedis(AbstractRedisClient client, StatefulConnection<String, byte[]> connection,
      RedisClusterCommands<String, byte[]> sync) {
    this.client = client;
    this.connection = connection;
    this.sync = sync;
  }

  static GatewayRedis standalone(int port) {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
    client.setDefaultTimeout(Duration.ofSeconds(10));
    var c = client.connect(RedisConnectionFactory.CODEC);
    return new GatewayRedis(client, c, c.sync());
  }

  static GatewayRedis cluster(List<String> addresses) {
    RedisClusterClient client = RedisClusterClient.create(addresses.stream()
        .map(a -> RedisURI.create("redis://" + a)).collect(Collectors.toList()));
    var c = client.connect(RedisConnectionFactory.CODEC);
    return new GatewayRedis(client, c, c.sync());
  }

  RedisClusterCommands<String, byte[]> sync() {
    return sync;
  }

  /** A gateway record with {@code APIKey = key}. */
  static byte[] record(String key) {
    return ENCODER.encode(TEMPLATE.copy().setApiKey(key));
  }

  /** The keys {@code <tag>-<from>} .. {@code <tag>-<from + count - 1>}. */
  static List<String> keys(String tag, int from, int count) {
    List<String> out = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      out.add(tag + "-" + i);
    }
    return out;
  }

  /** RPUSHes one record per key to {@code list}, as the gateway does; returns the keys. */
  List<String> push(String list, List<String> keys) {
    for (int from = 0; from < keys.size(); from += 5000) {
      List<String> part = keys.subList(from, Math.min(keys.size(), from + 5000));
      sync.rpush(list, part.stream().map(GatewayRedis::record).toArray(byte[][]::new));
    }
    return keys;
  }

  long llen(String key) {
    return sync.llen(key);
  }

  long xlen(String key) {
    return sync.xlen(key);
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
