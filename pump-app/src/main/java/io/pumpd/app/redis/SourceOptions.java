package io.pumpd.app.redis;

import io.pumpd.core.config.PumpConfiguration;
import java.time.Duration;

/**
 * How the Redis source pops, beyond the connection settings.
 *
 * @param expireAfterPopSeconds TTL re-armed on a key by every chunk pop; 0 or less: none. {@link
 *     #from(PumpConfiguration)} sets it as Tyk does: {@code storage_expiration_time} (60 when
 *     unset) when {@code purge_chunk > 0}; none when {@code purge_chunk} is 0, because Tyk's drain
 *     mode deletes the key and sets no TTL (our internal chunks leave the rest of a long list under
 *     the gateway's own TTL, as Tyk's drain would have found it). A negative {@code
 *     storage_expiration_time} means none too (Tyk would send {@code EXPIRE key -1}, which deletes
 *     the key and every record in it).
 * @param shutdownTimeout how long {@code close()} may wait for the client to shut down
 */
public record SourceOptions(long expireAfterPopSeconds, Duration shutdownTimeout) {

  /** No TTL, 2 s shutdown. */
  public static final SourceOptions DEFAULTS = new SourceOptions(0, Duration.ofSeconds(2));

  public SourceOptions {
    if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("shutdownTimeout must be >= 0");
    }
  }

  /** The options Tyk's rules derive from {@code purge_chunk} and {@code storage_expiration_time}. */
  public static SourceOptions from(PumpConfiguration config) {
    long ttl = config.purgeChunk() > 0 ? Math.max(0, config.effectiveStorageExpirationSeconds()) : 0;
    return new SourceOptions(ttl, DEFAULTS.shutdownTimeout());
  }

  public SourceOptions withExpireAfterPopSeconds(long seconds) {
    return new SourceOptions(seconds, shutdownTimeout);
  }
}
