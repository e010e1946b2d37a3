package io.pumpd.core.pump;

/**
 * The thread inside a pump's {@link Pump#write}, for pumps whose write may wait where only an
 * interrupt reaches it (a client library's blocking queue, a sleep between retries): {@link
 * Pump#close}, on the shutdown thread, calls {@link #interrupt()} and the write stops waiting.
 * Only the call in progress is interrupted, never the runner thread after the write returned, and
 * {@link #exit()} clears the interrupt it was sent so that it does not leak into the runner's next
 * task. Thread-safe.
 *
 * <p>Usage: {@code inWrite.enter(); try { ... } finally { inWrite.exit(); }} in {@code write}, and
 * {@code inWrite.interrupt()} in {@code close} after marking the pump closed (so that the write,
 * once woken, sees it is closed).
 */
public final class InterruptibleWrite {
  private Thread writer;
  private boolean interrupted;

  /** The calling thread enters {@code write}. */
  public synchronized void enter() {
    writer = Thread.currentThread();
    interrupted = false;
  }

  /** The calling thread leaves {@code write}; clears an interrupt {@link #interrupt()} sent it. */
  public synchronized void exit() {
    if (writer == Thread.currentThread()) {
      writer = null;
      if (interrupted) {
        Thread.interrupted();
        interrupted = false;
      }
    }
  }

  /** Interrupts the write in progress, if there is one. */
  public synchronized void interrupt() {
    if (writer != null) {
      interrupted = true;
      writer.interrupt();
    }
  }
}
