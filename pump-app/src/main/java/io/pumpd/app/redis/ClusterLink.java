package io.pumpd.app.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;

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

  ClusterLink(RedisClusterClient client, ClientResources resources, String description) {
    this.client = client;
    this.resources = resources;
    this.description = description;
  }

  @Override
  public RedisAsyncCommands<String, byte[]> commandsFor(String key) {
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
    int slot = SlotHash.getSlot(key);
    RedisClusterNode node = c.getPartitions().getMasterBySlot(slot);
    if (node == null) {
      client.refreshPartitionsAsync();
      throw new RedisException("no cluster master serves slot " + slot + " (key " + key + ")");
    }
    return c.getConnection(node.getNodeId()).async();
  }

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
    RedisConnectionFactory.shutdown(client, resources, timeout);
  }
}
