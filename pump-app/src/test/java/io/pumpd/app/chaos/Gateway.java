package io.pumpd.app.chaos;

import io.lettuce.core.ExpireArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.redis.RedisConnectionFactory;
import io.pumpd.core.codec.MsgpackRecordEncoder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A simulated Tyk Gateway: pushes records whose {@code APIKey} is {@code chaos-<i>}, {@code i =
 * 0 .. n-1} in order, at a steady rate into random analytics lists (the base key and the ten
 * shards, as a gateway with multiple analytics keys does), in pipelined {@code RPUSH} batches, and
 * arms the gateway's TTL on every list that has none ({@code EXPIRE key ttl NX}, what the
 * gateway's {@code RedisPurger} does every second). It survives Redis restarts (it retries the
 * batch), can be paused, and runs on its own thread.
 */
final class Gateway implements AutoCloseable {
  static final String TAG = "chaos-";
  private static final AnalyticsRecord TEMPLATE = Fixtures.records(Fixtures.MODERN).get(0);
  private static final int BATCH = 100;

  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisCommands<String, byte[]> redis;
  private final List<String> lists = AnalyticsKeys.withPrefix("analytics-").analytics();
  private final MsgpackRecordEncoder encoder = new MsgpackRecordEncoder();
  private final Random random = new Random(42);
  private final AtomicInteger pushed = new AtomicInteger();
  private final int total;
  private final int ratePerSecond;
  private final Duration ttl;
  private volatile boolean paused;
  private volatile int holdAt = Integer.MAX_VALUE;
  private volatile boolean stopping;
  private volatile boolean pausedAck;
  private Thread thread;

  Gateway(int port, int total, int ratePerSecond, Duration ttl) {
    this.client = RedisClient.create(RedisURI.create("127.0.0.1", port));
    client.setDefaultTimeout(Duration.ofSeconds(5));
    this.connection = client.connect(RedisConnectionFactory.CODEC);
    this.redis = connection.sync();
    this.total = total;
    this.ratePerSecond = ratePerSecond;
    this.ttl = ttl;
  }

  /**
   * The gateway encoding of record {@code i}: {@code APIKey} {@code chaos-<i>} (stdout, csv,
   * Elasticsearch, Influx tag), path {@code /chaos-<i>} (the DogStatsD {@code path} tag, and a
   * distinct Elasticsearch {@code generate_id} id).
   */
  byte[] record(int i) {
    return encoder.encode(TEMPLATE.copy().setApiKey(TAG + i).setPath("/" + TAG + i)
        .setRawPath("/" + TAG + i));
  }

  /** Pushes every record at once, before a daemon runs (a backlog). */
  void preload() {
    while (pushed.get() < total) {
      pushBatch();
    }
  }

  void start() {
    thread = new Thread(this::run, "gateway");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    long start = System.nanoTime();
    while (!stopping && pushed.get() < total) {
      if (paused || pushed.get() >= holdAt) {
        pausedAck = true;
        LockSupport.parkNanos(10_000_000L); // paused by the test: idle
        continue;
      }
      pausedAck = false;
      long due = start + pushed.get() * 1_000_000_000L / ratePerSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait); // keeps the push rate; not test synchronization
      }
      try {
        pushBatch();
      } catch (RuntimeException e) {
        LockSupport.parkNanos(50_000_000L); // Redis restarting: push the same batch again
      }
    }
  }

  private void pushBatch() {
    int from = pushed.get();
    int n = Math.min(BATCH, total - from);
    byte[][] batch = new byte[n][];
    for (int i = 0; i < n; i++) {
      batch[i] = record(from + i);
    }
    String list = lists.get(random.nextInt(lists.size()));
    redis.rpush(list, batch);
    if (!ttl.isZero()) {
      redis.expire(list, ttl, ExpireArgs.Builder.nx());
    }
    pushed.addAndGet(n);
  }

  /** Stops pushing and waits until the current batch is done. */
  void pause() {
    paused = true;
    while (thread != null && thread.isAlive() && !pausedAck && pushed.get() < total) {
      LockSupport.parkNanos(5_000_000L);
    }
  }

  void resume() {
    paused = false;
  }

  /** Stops pushing once {@code n} records were pushed, until {@link #release()}. */
  void holdAt(int n) {
    holdAt = n;
  }

  void release() {
    holdAt = Integer.MAX_VALUE;
  }

  /** Records pushed so far ({@code chaos-0} .. {@code chaos-<pushed - 1>}). */
  int pushed() {
    return pushed.get();
  }

  boolean done() {
    return pushed.get() >= total;
  }

  int total() {
    return total;
  }

  /** Total length of the gateway lists right now. */
  long listBacklog() {
    long n = 0;
    for (String l : lists) {
      n += redis.llen(l);
    }
    return n;
  }

  RedisCommands<String, byte[]> redis() {
    return redis;
  }

  @Override
  public void close() {
    stopping = true;
    connection.close();
    client.shutdown();
  }
}
