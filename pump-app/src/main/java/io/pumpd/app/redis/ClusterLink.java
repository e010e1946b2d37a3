package io.pumpd.app.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link RedisLink} to a Redis Cluster. Each key is served by the node connection of the master
 * owning its hash slot, so a {@code MULTI ... EXEC} on one key runs on one node, atomically, just
 * as go-redis's {@code TxPipelined} does for Tyk. Lettuce's cluster connection cannot run MULTI
 * across nodes, which is why the node connection is used directly. The topology is refreshed
 * periodically, on Lettuce's adaptive triggers, and after a reply error ({@link #onReplyError}).
 */
final class ClusterLink implements RedisLink {
  private final RedisClusterClient client;
  private final ClientResources resources;
  private final String description;
  private volatile StatefulRedisClusterConnection<String, byte[]> connection;
  private volatile boolean closed;
  private final Map<String, FailedNode> failedNodes = new ConcurrentHashMap<>();

  /** How long a node whose connection failed is skipped before it is tried again. */
  static final Duration NODE_RETRY_INTERVAL = Duration.ofSeconds(1);

  ClusterLink(RedisClusterClient client, ClientResources resources, String description) {
    this.client = client;
    this.resources = resources;
    this.description = description;
  }

  @Override
  public void connect() {
    connection();
  }

  /**
   * The node connection for {@code key}'s master. A node that could not be connected to is not
   * tried again for {@link #NODE_RETRY_INTERVAL}, so one unreachable master costs one connect
   * timeout per interval, not one per key.
   */
  @Override
  public RedisAsyncCommands<String, byte[]> commandsFor(String key) {
    StatefulRedisClusterConnection<String, byte[]> c = connection();
    int slot = SlotHash.getSlot(key);
    RedisClusterNode node = c.getPartitions().getMasterBySlot(slot);
    if (node == null) {
      client.refreshPartitionsAsync();
      throw new RedisException("no cluster master serves slot " + slot + " (key " + key + ")");
    }
    String nodeId = node.getNodeId();
    FailedNode failed = failedNodes.get(nodeId);
    if (failed != null && System.nanoTime() - failed.atNanos() < NODE_RETRY_INTERVAL.toNanos()) {
      throw failed.error();
    }
    try {
      RedisAsyncCommands<String, byte[]> commands = c.getConnection(nodeId).async();
      failedNodes.remove(nodeId);
      return commands;
    } catch (RedisException e) {
      failedNodes.put(nodeId, new FailedNode(System.nanoTime(), e));
      throw e;
    }
  }

  private StatefulRedisClusterConnection<String, byte[]> connection() {
    StatefulRedisClusterConnection<String, byte[]> c = connection;
    if (c == null) {
      synchronized (this) {
        if (closed) {
          throw new RedisException("link closed");
        }
        c = connection;
        if (c == null) {
          c = client.connect(RedisConnectionFactory.CODEC);
          connection = c;
        }
      }
    }
    return c;
  }

  /** When connecting to a node last failed, and why. */
  private record FailedNode(long atNanos, RedisException error) {}

  @Override
  public void onReplyError() {
    if (connection != null && !closed) {
      client.refreshPartitionsAsync();
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close(Duration timeout) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    StatefulRedisClusterConnection<String, byte[]> c = connection;
    if (c != null) {
      c.close(); // closes the node connections too, before the client closes what is left
    }
    RedisConnectionFactory.shutdown(client, resources, timeout);
  }
}
