package io.pumpd.app.redis;

import io.lettuce.core.RedisCommandExecutionException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one poll over several keys came to: the batches popped, and the keys that failed and why.
 * Not thread-safe; one per poll.
 */
final class PollTally {
  private final int keys;
  private final List<PoppedList> batches = new ArrayList<>();
  private final List<ChunkPop> lostReplies = new ArrayList<>();
  private Throwable noReply;
  private Throwable lostCause;
  private RedisCommandExecutionException replyError;
  private int failedKeys;

  PollTally(int keys) {
    this.keys = keys;
  }

  /** The key's node could not be reached: nothing was sent for it. */
  void notSent(Throwable cause) {
    failedKeys++;
    noReply = noReply == null ? cause : noReply;
  }

  void popped(String key, List<byte[]> elements) {
    if (!elements.isEmpty()) {
      batches.add(new PoppedList(key, elements));
    }
  }

  void refused(RedisCommandExecutionException error) {
    failedKeys++;
    replyError = error;
  }

  void noReply(ChunkPop pop, ChunkPop.NoReply outcome) {
    failedKeys++;
    noReply = noReply == null ? outcome.cause() : noReply;
    if (outcome.possiblyExecuted()) {
      lostReplies.add(pop);
      lostCause = lostCause == null ? outcome.cause() : lostCause;
    }
  }

  List<PoppedList> batches() {
    return batches;
  }

  /** Pops whose transaction may have run although no reply came. */
  List<ChunkPop> lostReplies() {
    return lostReplies;
  }

  Throwable lostCause() {
    return lostCause;
  }

  boolean anyRefused() {
    return replyError != null;
  }

  int failedKeys() {
    return failedKeys;
  }

  /**
   * Redis counts as down when some key got no reply, or when it refused every key of a multi-key
   * poll (e.g. an ACL without LRANGE); one refused key (a stray string under the uptime key) does
   * not make Redis down.
   */
  boolean redisDown() {
    return noReply != null || (failedKeys == keys && replyError != null && keys > 1);
  }

  /** Nothing was popped and something failed: the caller gets an exception, not an empty list. */
  boolean failedEntirely() {
    return batches.isEmpty() && (noReply != null || failedKeys == keys);
  }

  /** The most telling cause: a missing reply over a refusal. */
  Throwable cause() {
    return noReply != null ? noReply : replyError;
  }
}
