package io.pumpd.sinks.elasticsearch;

import io.pumpd.core.pump.Deadline;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the bytes of documents the pump holds between {@code write} and Elasticsearch's answer
 * (buffered, in flight, or waiting for a retry). {@code write} reserves a batch's bytes before
 * taking it and waits, up to its deadline, while the budget is used up: that is the pump's
 * back-pressure, and what bounds memory while Elasticsearch is down. A batch larger than the whole
 * budget reserves the whole budget (it then travels alone). Thread-safe.
 */
final class BufferBudget {
  private final long capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  private long used;
  private boolean closed;

  BufferBudget(long capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  long capacity() {
    return capacity;
  }

  long used() {
    lock.lock();
    try {
      return used;
    } finally {
      lock.unlock();
    }
  }

  /** What a request for {@code bytes} actually reserves. */
  long reservation(long bytes) {
    return Math.min(Math.max(bytes, 0), capacity);
  }

  /**
   * Reserves {@link #reservation(long) reservation(bytes)}, waiting until it fits or {@code
   * deadline}.
   *
   * @return the reserved amount (release exactly that), or -1 when the deadline passed or the budget
   *     was closed
   */
  long acquire(long bytes, Deadline deadline) throws InterruptedException {
    long want = reservation(bytes);
    lock.lock();
    try {
      while (!closed && used + want > capacity) {
        if (deadline.isExpired()) {
          return -1;
        }
        long nanos = deadline.isUnbounded() ? TimeUnit.SECONDS.toNanos(1) : deadline.remaining().toNanos();
        released.awaitNanos(Math.max(1, nanos));
      }
      if (closed) {
        return -1;
      }
      used += want;
      return want;
    } finally {
      lock.unlock();
    }
  }

  void release(long reserved) {
    if (reserved <= 0) {
      return;
    }
    lock.lock();
    try {
      used = Math.max(0, used - reserved);
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiter; later acquisitions fail. */
  void close() {
    lock.lock();
    try {
      closed = true;
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }
}
