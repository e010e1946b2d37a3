package io.pumpd.sinks.stdout.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A log collector at the other end of a real OS pipe ({@link Pipe}), for the stdout pump: the pump
 * prints into {@link #out()} and a daemon thread reads (and counts) what arrives. {@link #pause()}
 * stops the reading, so the pipe fills up (64 KiB on Linux) and prints block, as they do when the
 * collector behind a daemon's standard output stalls. {@link #close()} closes both ends: a print
 * still blocked fails with a broken pipe. Thread-safe.
 */
public final class PipeCollector implements AutoCloseable {
  private final Pipe pipe;
  private final PrintStream out;
  private final Semaphore reading = new Semaphore(1);
  private final AtomicLong bytesRead = new AtomicLong();
  private final Thread reader;

  private PipeCollector() throws IOException {
    pipe = Pipe.open();
    out = new PrintStream(Channels.newOutputStream(pipe.sink()), false, StandardCharsets.UTF_8);
    reader = new Thread(this::read, "pipe-collector");
    reader.setDaemon(true);
    reader.start();
  }

  /** A collector reading from the start. */
  public static PipeCollector start() {
    try {
      return new PipeCollector();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pipe's writing end, as the pump's standard output. */
  public PrintStream out() {
    return out;
  }

  /** Bytes read so far. */
  public long bytesRead() {
    return bytesRead.get();
  }

  /**
   * Stops reading (after the read in progress, if any) until the returned handle is closed.
   */
  public AutoCloseable pause() throws InterruptedException {
    reading.acquire();
    return reading::release;
  }

  @Override
  public void close() throws IOException {
    pipe.source().close();
    pipe.sink().close();
  }

  private void read() {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try {
      while (true) {
        reading.acquire(); // waits while paused
        reading.release();
        buf.clear();
        int n = pipe.source().read(buf);
        if (n < 0) {
          return;
        }
        bytesRead.addAndGet(n);
      }
    } catch (IOException | InterruptedException e) {
      // closed
    }
  }
}
