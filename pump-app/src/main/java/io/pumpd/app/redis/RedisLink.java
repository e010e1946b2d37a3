package io.pumpd.app.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;

/**
 * The Lettuce client and connection(s) behind a source: one multiplexed connection for a single
 * node or a Sentinel-resolved master, one connection per master for Redis Cluster. Connections are
 * opened on first use, so a pump starts while Redis is down (as Tyk's does); after that, Lettuce
 * reconnects by itself and rejects commands while disconnected.
 *
 * <p>Threading: {@link #commandsFor} is meant for one thread at a time (the source serialises its
 * calls): MULTI blocks are connection state. {@link #close} may be called from any thread, once.
 */
public interface RedisLink extends AutoCloseable {

  /**
   * Makes sure the client's main connection exists (for Cluster: the topology is known), opening
   * it if needed, blocking up to the connect timeout. Once it exists this returns at once, even
   * while Lettuce is reconnecting it in the background.
   *
   * @throws RedisException when it cannot be opened (Redis down, bad credentials, TLS handshake
   *     failure)
   */
  void connect();

  /**
   * The async commands of the connection that serves {@code key}: the single connection, or in
   * Cluster mode the connection to the master owning the key's hash slot (so a MULTI on it is
   * valid). Calls {@link #connect()} first if needed.
   *
   * @throws RedisException when no connection can be opened (see {@link #connect()}), or in
   *     Cluster mode when no master serves the key's slot or its node cannot be reached
   */
  RedisAsyncCommands<String, byte[]> commandsFor(String key);

  /**
   * Tells the link that a key's node answered with an error (e.g. {@code MOVED} or {@code
   * EXECABORT} after resharding); a Cluster link refreshes its topology in the background.
   */
  void onReplyError();

  /** Where this link points, for logs; never contains credentials. */
  String describe();

  /**
   * Closes connections and shuts the client and its threads down, waiting at most {@code timeout}.
   * Idempotent.
   */
  void close(Duration timeout);

  /** {@link #close(Duration)} with 2 seconds. */
  @Override
  default void close() {
    close(Duration.ofSeconds(2));
  }
}
