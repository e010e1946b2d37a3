/**
 * The {@code at_least_once} half of the Redis adapter: records stay in Redis until every pump
 * confirmed them ({@code docs/DELIVERY.md}). Only Redis code: the delivery logic (retries,
 * back-pressure, acknowledgement rules) is the core's {@link io.pumpd.core.delivery.DeliveryEngine}.
 *
 * <ul>
 *   <li>{@link io.pumpd.app.redis.stream.StreamSource}: the engine's source; each pump a consumer
 *       group: reads, fetches parts (once for every pump that read them), acknowledges, renews
 *       leases, takes over abandoned entries.
 *   <li>{@link io.pumpd.app.redis.stream.ChunkMover} ({@code move.lua}): takes each gateway list
 *       whole (RENAME to a pump-owned batch list, PERSIST) and adds stream entries referring to it.
 *   <li>{@link io.pumpd.app.redis.stream.StreamMaintenance} ({@code trim.lua}): groups, per-pump
 *       backlog and lag, the backlog bound, trimming and deleting batches.
 *   <li>{@link io.pumpd.app.redis.stream.StreamKeys}: the key names, all in the list's hash slot.
 * </ul>
 */
package io.pumpd.app.redis.stream;
