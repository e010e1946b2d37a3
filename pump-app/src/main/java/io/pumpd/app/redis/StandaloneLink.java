package io.pumpd.app.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;

/** A {@link RedisLink} to one node, directly or through Sentinel (the URI says which). */
final class StandaloneLink implements RedisLink {
  private final RedisClient client;
  private final ClientResources resources;
  private final RedisURI uri;
  private final String description;
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile boolean closed;

  StandaloneLink(RedisClient client, ClientResources resources, RedisURI uri, String description) {
    this.client = client;
    this.resources = resources;
    this.uri = uri;
    this.description = description;
  }

  @Override
  public void connect() {
    connection();
  }

  @Override
  public RedisAsyncCommands<String, byte[]> commandsFor(String key) {
    return connection().async();
  }

  private StatefulRedisConnection<String, byte[]> connection() {
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c == null) {
      synchronized (this) {
        if (closed) {
          throw new RedisException("link closed");
        }
        c = connection;
        if (c == null) {
          c = client.connect(RedisConnectionFactory.CODEC, uri);
          connection = c;
        }
      }
    }
    return c;
  }

  @Override
  public void onReplyError() {
    // a single node has no topology to refresh
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
