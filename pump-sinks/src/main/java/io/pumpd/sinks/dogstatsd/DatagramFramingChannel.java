package io.pumpd.sinks.dogstatsd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Sits between the client's sender thread and its socket channel: splits each buffer the client
 * assembled (newline-terminated metric lines, at most the packet size) into datagrams of at most
 * {@code maxLinesPerDatagram} lines, writes them, and reports to the {@link Listener} how many of
 * the pump's metric lines were written or failed.
 *
 * <p>This is how Tyk's {@code buffered}/{@code buffered_max_messages} map onto the Java client,
 * which has no messages-per-payload option: unbuffered is one metric per datagram (Tyk's {@code
 * WithMaxMessagesPerPayload(1)}), buffered is up to {@code buffered_max_messages}.
 *
 * <h2>Socket errors</h2>
 *
 * A datagram the receiver cannot take right now ({@code EAGAIN}: its buffer stayed full for the
 * socket's write timeout; {@code ENOBUFS}) is tried again on this thread, up to {@value
 * #BUSY_RETRIES} more times with a short growing pause, which also slows the client down (its
 * queue fills and {@code write} blocks: back-pressure). When a datagram still cannot go, the
 * receiver is taken to be overwhelmed: for the next {@value #BUSY_HOLD_MILLIS} ms every datagram is
 * failed at once without trying, so the batches behind it fail fast and are retried by the core
 * with its backoff instead of each waiting out the socket timeout. A datagram that fails for
 * any other socket reason (receiver gone, connection refused, socket closed) is reported as
 * {@linkplain Listener#failed retriable}: the receiver is the problem, not the record, so the batch
 * is offered again later rather than dead-lettered. Only {@code EMSGSIZE} ("Message too long") and
 * a short write are the datagram's own fault and reported as permanent.
 *
 * <p>{@link #write} never throws for a failed datagram (the listener hears about it, with the
 * reason) and always reports the whole buffer as consumed, so the client does not report the
 * failure a second time. Called only by the client's single sender thread; not thread-safe.
 */
final class DatagramFramingChannel implements WritableByteChannel {

  /** More attempts for a datagram the receiver is too busy to take ({@code EAGAIN}, {@code ENOBUFS}). */
  static final int BUSY_RETRIES = 3;

  /** Pause before the first extra attempt; doubled for each further one. */
  static final long BUSY_PAUSE_MILLIS = 10;

  /** How long datagrams are failed without trying after the receiver stayed busy through the retries. */
  static final long BUSY_HOLD_MILLIS = 1000;

  /** Hears about the pump's metric lines; called on the sender thread. */
  interface Listener {
    void sent(int lines);

    /**
     * {@code lines} pump metrics did not reach the socket.
     *
     * @param retriable true when the cause is the receiver or the socket (sending the same lines
     *     later may work), false when it is the datagram itself (it never will)
     */
    void failed(int lines, String reason, boolean retriable);
  }

  private final WritableByteChannel delegate;
  private final int maxLinesPerDatagram;
  private final byte[] countedPrefix;
  private final String destination;
  private final Listener listener;
  private final LongSupplier nanoClock;
  private ByteBuffer scratch;
  private long busyUntilNanos;
  private String busyReason;

  /**
   * @param delegate the client's channel (UDP or unix datagram socket)
   * @param maxLinesPerDatagram metric lines per datagram, at least 1
   * @param countedPrefix lines starting with this are the pump's metrics ({@code
   *     <namespace>.request_time:}); others (client telemetry) are forwarded but not counted
   * @param destination where the datagrams go, for failure reasons
   * @param listener told about written and failed pump lines
   */
  DatagramFramingChannel(
      WritableByteChannel delegate,
      int maxLinesPerDatagram,
      String countedPrefix,
      String destination,
      Listener listener) {
    this(delegate, maxLinesPerDatagram, countedPrefix, destination, listener, System::nanoTime);
  }

  /** As above, with the clock that times the busy hold ({@link System#nanoTime} semantics). */
  DatagramFramingChannel(
      WritableByteChannel delegate,
      int maxLinesPerDatagram,
      String countedPrefix,
      String destination,
      Listener listener,
      LongSupplier nanoClock) {
    if (maxLinesPerDatagram < 1) {
      throw new IllegalArgumentException("maxLinesPerDatagram must be >= 1");
    }
    this.delegate = delegate;
    this.maxLinesPerDatagram = maxLinesPerDatagram;
    this.countedPrefix = countedPrefix.getBytes(StandardCharsets.UTF_8);
    this.destination = destination;
    this.listener = listener;
    this.nanoClock = nanoClock;
  }

  @Override
  public int write(ByteBuffer src) {
    int total = src.remaining();
    while (src.hasRemaining()) {
      int start = src.position();
      int end = start;
      int lines = 0;
      int counted = 0;
      while (end < src.limit() && lines < maxLinesPerDatagram) {
        int lineEnd = indexOfNewline(src, end);
        if (startsWithPrefix(src, end, lineEnd)) {
          counted++;
        }
        end = lineEnd;
        lines++;
      }
      send(datagram(src, start, end), counted);
      src.position(end);
    }
    return total;
  }

  /** Writes one datagram (position 0 to its limit), trying again while the receiver is busy. */
  private void send(ByteBuffer datagram, int counted) {
    if (busyReason != null) {
      if (nanoClock.getAsLong() - busyUntilNanos < 0) {
        listener.failed(counted, busyReason, true);
        return;
      }
      busyReason = null;
    }
    int size = datagram.remaining();
    for (int attempt = 0; ; attempt++) {
      try {
        int written = delegate.write(datagram);
        if (written != size) {
          listener.failed(
              counted, "short write to " + destination + ": " + written + " of " + size + " bytes", false);
        } else if (counted > 0) {
          listener.sent(counted);
        }
        return;
      } catch (IOException | RuntimeException e) {
        boolean busy = receiverBusy(e);
        if (busy && attempt < BUSY_RETRIES && delegate.isOpen() && pause(attempt)) {
          datagram.rewind();
          continue;
        }
        String reason = "sending to " + destination + " failed: " + e;
        if (busy) {
          busyReason = reason + " (receiver still busy; not trying again for " + BUSY_HOLD_MILLIS + " ms)";
          busyUntilNanos = nanoClock.getAsLong() + BUSY_HOLD_MILLIS * 1_000_000L;
        }
        listener.failed(counted, reason, !datagramTooLong(e));
        return;
      }
    }
  }

  /** {@code EAGAIN}/{@code EWOULDBLOCK} or {@code ENOBUFS}: the same datagram may go through shortly. */
  static boolean receiverBusy(Exception e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("temporarily unavailable")
        || m.contains("would block")
        || m.contains("No buffer space");
  }

  /** {@code EMSGSIZE}: this datagram can never be sent. */
  static boolean datagramTooLong(Exception e) {
    return String.valueOf(e.getMessage()).contains("Message too long");
  }

  /** Sleeps before extra attempt {@code attempt + 1}; false (interrupt kept) when interrupted. */
  private static boolean pause(int attempt) {
    try {
      Thread.sleep(BUSY_PAUSE_MILLIS << attempt);
      return true;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Bytes {@code [start, end)} of {@code src} in a buffer starting at position 0: jnr-unixsocket's
   * send ignores the buffer position, so a slice further into {@code src} must be copied.
   */
  private ByteBuffer datagram(ByteBuffer src, int start, int end) {
    if (scratch == null || scratch.capacity() < end - start) {
      scratch = ByteBuffer.allocateDirect(Math.max(end - start, src.capacity()));
    }
    scratch.clear();
    ByteBuffer slice = src.duplicate();
    slice.position(start).limit(end);
    scratch.put(slice).flip();
    return scratch;
  }

  /** Index just past the next {@code \n} at or after {@code from}, or the limit. */
  private static int indexOfNewline(ByteBuffer b, int from) {
    for (int i = from; i < b.limit(); i++) {
      if (b.get(i) == '\n') {
        return i + 1;
      }
    }
    return b.limit();
  }

  private boolean startsWithPrefix(ByteBuffer b, int from, int lineEnd) {
    if (lineEnd - from < countedPrefix.length) {
      return false;
    }
    for (int i = 0; i < countedPrefix.length; i++) {
      if (b.get(from + i) != countedPrefix[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public String toString() {
    return "framed(" + maxLinesPerDatagram + " lines/datagram) " + delegate;
  }
}
