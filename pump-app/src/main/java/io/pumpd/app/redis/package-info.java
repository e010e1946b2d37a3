/**
 * The Redis side of the pump: where Tyk Gateway analytics come from ({@code reference/tyk-pump.md}
 * §2), implemented with Lettuce.
 *
 * <p>Entry point for the app: {@link io.pumpd.app.redis.RedisRecordSource#create}({@code
 * analytics_storage_config}, {@link io.pumpd.app.redis.SourceOptions#from}(config)), then {@code
 * storeVersion}, {@code pollAnalytics}/{@code pollUptime} from the purge loop, {@code isAvailable}
 * for readiness, {@code backlog} for metrics and diagnostics, {@code close} at shutdown. Connection
 * settings are checked by {@link io.pumpd.core.config.StorageConfig#validate} when the
 * configuration is loaded (every command, {@code pump config check} included, exit status 2);
 * {@code create} runs the same check again and fails with a {@link
 * io.pumpd.app.redis.RedisConfigException} only if a TLS file changed in between.
 *
 * <p>Decisions, and why:
 *
 * <ul>
 *   <li><b>The pop</b> is Tyk's {@code MULTI; LRANGE key 0 N-1; LTRIM key N -1; EXEC} in every
 *       mode, never {@code LRANGE 0 -1}: with {@code purge_chunk = 0} the purge loop passes its
 *       internal chunk size and calls again until the lists are empty or its budget is spent. An
 *       emptied list disappears, as with Tyk's {@code DEL}. Only the commands Tyk Pump uses are
 *       sent (MULTI, EXEC, LRANGE, LTRIM, EXPIRE, SET; LLEN for {@code backlog}), so a Redis ACL
 *       user made for Tyk Pump works unchanged; no Lua scripting is needed.
 *   <li><b>Redis Cluster</b>: Lettuce cannot run MULTI through its routing cluster connection, so
 *       each key's transaction runs on the node connection of the master owning the key's slot
 *       (what go-redis does for Tyk). Every key is in one slot, so the transaction is atomic.
 *   <li><b>TTL</b> ({@code storage_expiration_time}): re-armed by each pop only when {@code
 *       purge_chunk > 0}, as Tyk does, as the last command inside the transaction rather than a
 *       separate round trip (same effect, and an EXPIRE failure cannot disguise a successful pop).
 *       With {@code purge_chunk = 0} no TTL is set: Tyk's drain mode deletes the key, so it never
 *       sets one either; what our internal chunks leave behind keeps the gateway's own TTL.
 *   <li><b>Delivery</b> is {@code at_most_once}: batches' {@code ack}/{@code release} are no-ops.
 *       A reply lost after the transaction was sent is logged at ERROR as a possible loss, with
 *       the keys and counts; those records cannot be recovered in this mode.
 *   <li><b>Outages</b>: commands fail fast while disconnected (no queueing, no replay after
 *       reconnect), the outage is logged once when it starts and once when it ends, and Lettuce
 *       reconnects with backoff capped at 10 s. Lettuce's own {@code ConnectionWatchdog} also logs
 *       failed reconnects at WARN (at most every 5 s); the app's logging config should set {@code
 *       io.lettuce.core.protocol.ConnectionWatchdog} to ERROR to keep one line per outage.
 * </ul>
 */
package io.pumpd.app.redis;
