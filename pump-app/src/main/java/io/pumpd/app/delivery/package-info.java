/**
 * {@code delivery_guarantee: "at_least_once"}: records stay in Redis until every pump confirmed
 * them ({@code docs/DELIVERY.md}).
 *
 * <ul>
 *   <li>{@link io.pumpd.app.delivery.AtLeastOnceDelivery}: the engine, wired by the daemon;
 *       lifecycle and shutdown.
 *   <li>{@link io.pumpd.app.delivery.ChunkMover} ({@code move.lua}): takes each gateway list whole
 *       (RENAME to a pump-owned batch list, PERSIST) and adds stream entries referring to it.
 *   <li>{@link io.pumpd.app.delivery.PumpConsumer}: one per pump; a consumer group member that
 *       reads, delivers, acknowledges, retries, renews and takes over entries.
 *   <li>{@link io.pumpd.app.delivery.StreamMaintenance} ({@code trim.lua}): groups, per-pump
 *       backlog and lag, the backlog bound, trimming and deleting batches.
 *   <li>{@link io.pumpd.app.delivery.StreamKeys}: the key names, all in the list's hash slot.
 * </ul>
 */
package io.pumpd.app.delivery;
