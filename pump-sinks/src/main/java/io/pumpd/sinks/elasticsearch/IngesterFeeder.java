package io.pumpd.sinks.elasticsearch;

import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import io.pumpd.core.concurrent.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands documents to the bulk ingester on a thread of its own ({@code pumpd-es-feed-<name>}).
 *
 * <p>Why: {@code BulkIngester.add} blocks while its buffer is full and every allowed request is in
 * flight. Called from {@code write}, that would hold the pump's lane (and with it the next Redis read
 * and decode) until Elasticsearch answers, and leave Elasticsearch idle while the next batch is
 * fetched. With the feeder, {@code write} returns once the documents are reserved in the buffer
 * budget (which bounds what is queued here), and fetching the next batch overlaps with indexing.
 *
 * <p>Thread-safe. Order is kept: documents reach the ingester in submission order.
 *
 * @param <C> the ingester's operation context
 */
final class IngesterFeeder<C> {
  private static final Logger LOG = LoggerFactory.getLogger(IngesterFeeder.class);
  private static final Object STOP = new Object();

  /** Where documents go ({@code BulkIngester::add}); may block, may throw once closed. */
  interface Sink<C> {
    void add(BulkOperation operation, C context);
  }

  /** Told about a document that could not be handed over, with the reason. */
  interface Rejection<C> {
    void rejected(C context, String reason);
  }

  private record Work<C>(List<BulkOperation> operations, List<C> contexts) {}

  private record Marker(CompletableFuture<Void> reached) {}

  private final Sink<C> sink;
  private final Rejection<C> rejection;
  private final String closedReason;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final Object room = new Object();
  private final Thread thread;
  private volatile boolean stopped;

  /** @param closedReason why documents are rejected once the feeder is stopped */
  IngesterFeeder(String name, Sink<C> sink, Rejection<C> rejection, String closedReason) {
    this.sink = sink;
    this.rejection = rejection;
    this.closedReason = closedReason;
    this.thread = Threads.start("pumpd-es-feed-" + name, this::run);
  }

  /** Queues documents for the ingester; never blocks. After {@link #stop} they are rejected. */
  void submit(List<BulkOperation> operations, List<C> contexts) {
    if (stopped) {
      contexts.forEach(c -> rejection.rejected(c, closedReason));
      return;
    }
    queued.addAndGet(contexts.size());
    queue.add(new Work<>(operations, contexts));
  }

  /** Completes once everything submitted before this call has been handed to the ingester. */
  CompletableFuture<Void> drained() {
    CompletableFuture<Void> reached = new CompletableFuture<>();
    if (stopped) {
      reached.complete(null);
    } else {
      queue.add(new Marker(reached));
    }
    return reached;
  }

  /**
   * Waits until at most {@code limit} documents are queued (so that the pump's lane stays about one
   * batch ahead of the ingester, not the whole buffer budget), or until {@code deadline}.
   *
   * @return false when the deadline passed first or the feeder stopped
   */
  boolean awaitRoom(long limit, io.pumpd.core.pump.Deadline deadline) throws InterruptedException {
    synchronized (room) {
      while (!stopped && queued.get() > limit) {
        if (deadline.isExpired()) {
          return false;
        }
        long millis = deadline.isUnbounded() ? 1000 : Math.max(1, deadline.remainingMillis());
        room.wait(millis);
      }
      return !stopped;
    }
  }

  /** Documents submitted and not yet handed to the ingester. */
  long queued() {
    return queued.get();
  }

  /**
   * Stops taking documents; waits up to {@code wait} for a hand-over in progress, then rejects what
   * is still queued.
   */
  void stop(Duration wait) {
    stopped = true;
    synchronized (room) {
      room.notifyAll();
    }
    queue.add(STOP);
    try {
      thread.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Object> left = new ArrayList<>();
    queue.drainTo(left);
    for (Object o : left) {
      settle(o, closedReason);
    }
  }

  private void run() {
    while (true) {
      Object next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (next == STOP) {
        return;
      }
      if (stopped) {
        settle(next, closedReason);
        continue;
      }
      if (next instanceof Marker m) {
        m.reached().complete(null);
        continue;
      }
      @SuppressWarnings("unchecked")
      Work<C> w = (Work<C>) next;
      for (int i = 0; i < w.contexts().size(); i++) {
        C context = w.contexts().get(i);
        try {
          if (stopped) {
            rejection.rejected(context, closedReason);
          } else {
            sink.add(w.operations().get(i), context);
          }
        } catch (RuntimeException e) {
          LOG.debug("document not handed to the bulk ingester: {}", e.toString());
          rejection.rejected(context, "the bulk ingester did not take the document: " + e.getMessage());
        } finally {
          queued.decrementAndGet();
        }
      }
      synchronized (room) {
        room.notifyAll();
      }
    }
  }

  private void settle(Object o, String reason) {
    if (o instanceof Marker m) {
      m.reached().complete(null);
    } else if (o instanceof Work<?> w) {
      @SuppressWarnings("unchecked")
      Work<C> work = (Work<C>) w;
      work.contexts().forEach(c -> rejection.rejected(c, reason));
      queued.addAndGet(-work.contexts().size());
    }
  }
}
