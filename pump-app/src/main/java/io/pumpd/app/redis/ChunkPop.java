package io.pumpd.app.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.pumpd.core.concurrent.Causes;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One atomic chunk pop of one list, in flight: Tyk's chunked {@code MULTI; LRANGE key 0 N-1;
 * LTRIM key N -1; EXEC} ({@code reference/tyk-pump.md} §2.3). Redis runs the block as one unit, so
 * two pump processes never receive the same element. An {@code LTRIM} that leaves nothing deletes
 * the list, which is what Tyk's drain mode ({@code DEL}) achieves; so one sequence serves both modes
 * while never reading more than N elements in one command.
 *
 * <p>When {@code expireSeconds > 0}, {@code EXPIRE key ttl} is the last command <em>inside</em>
 * the block. Tyk sends it as a separate command after {@code EXEC} (before 2023 it was inside, as
 * here); the effect on the key is the same (a no-op when the pop emptied the key), it costs no
 * extra round trip, and a failing {@code EXPIRE} cannot make a pop that succeeded look failed.
 *
 * <p>Several pops are pipelined by dispatching them one after another on the same connection
 * before awaiting any. Not thread-safe: a connection's MULTI state must not interleave.
 */
final class ChunkPop {

  /** What became of one pop. */
  sealed interface Outcome {}

  /** Redis ran the block: these elements (possibly none) were removed from the list. */
  record Popped(List<byte[]> elements) implements Outcome {}

  /** Redis answered with an error (e.g. WRONGTYPE, EXECABORT, MOVED); nothing was removed. */
  record ReplyError(RedisCommandExecutionException error) implements Outcome {}

  /**
   * No reply: not connected, disconnected, or timed out.
   *
   * @param possiblyExecuted the EXEC was handed to the connection (Lettuce did not refuse it at
   *     once), so Redis may have run the block and removed up to {@code requested} elements that
   *     nobody will receive
   */
  record NoReply(Throwable cause, boolean possiblyExecuted) implements Outcome {}

  private final String key;
  private final int requested;
  private final boolean execRejected;
  private final RedisFuture<TransactionResult> exec;

  private ChunkPop(String key, int requested, RedisFuture<TransactionResult> exec) {
    this.key = key;
    this.requested = requested;
    this.exec = exec;
    // Lettuce fails a command it refuses to write (disconnected, queue full, closed) before
    // dispatch returns; an EXEC refused that way never reached Redis, so nothing was removed.
    this.execRejected = exec.toCompletableFuture().isCompletedExceptionally();
  }

  /** Writes the block for {@code key} without waiting for the reply. */
  static ChunkPop dispatch(RedisAsyncCommands<String, byte[]> commands, String key, int chunk,
      long expireSeconds) {
    commands.multi();
    commands.lrange(key, 0, chunk - 1L);
    commands.ltrim(key, chunk, -1);
    if (expireSeconds > 0) {
      commands.expire(key, expireSeconds);
    }
    return new ChunkPop(key, chunk, commands.exec());
  }

  String key() {
    return key;
  }

  int requested() {
    return requested;
  }

  /** Waits for the reply until {@code deadlineNanos} ({@link System#nanoTime()} based). */
  Outcome await(long deadlineNanos) {
    TransactionResult result;
    try {
      result = exec.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = Causes.unwrap(e);
      if (cause instanceof RedisCommandExecutionException rce) {
        return new ReplyError(rce);
      }
      return new NoReply(cause, !execRejected);
    } catch (TimeoutException e) {
      exec.cancel(false);
      return new NoReply(e, !execRejected);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new NoReply(e, !execRejected);
    }
    return decode(result);
  }

  @SuppressWarnings("unchecked")
  private Outcome decode(TransactionResult result) {
    if (result.wasDiscarded() || result.size() < 2) {
      return new ReplyError(new RedisCommandExecutionException(
          "transaction on " + key + " was discarded"));
    }
    Object range = result.get(0);
    Object trim = result.get(1);
    if (range instanceof RedisCommandExecutionException e) {
      return new ReplyError(e);
    }
    if (trim instanceof RedisCommandExecutionException e) {
      // LTRIM failed, so nothing was removed: handing the elements out could duplicate them
      return new ReplyError(e);
    }
    return new Popped((List<byte[]>) range);
  }
}
