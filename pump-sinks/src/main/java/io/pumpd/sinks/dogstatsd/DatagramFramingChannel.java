package io.pumpd.sinks.dogstatsd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

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
 * <p>{@link #write} never throws for a failed datagram (the listener hears about it, with the
 * reason) and always reports the whole buffer as consumed, so the client does not report the
 * failure a second time. Called only by the client's single sender thread; not thread-safe.
 */
final class DatagramFramingChannel implements WritableByteChannel {

  /** Hears about the pump's metric lines; called on the sender thread. */
  interface Listener {
    void sent(int lines);

    void failed(int lines, String reason);
  }

  private final WritableByteChannel delegate;
  private final int maxLinesPerDatagram;
  private final byte[] countedPrefix;
  private final String destination;
  private final Listener listener;
  private ByteBuffer scratch;

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
    if (maxLinesPerDatagram < 1) {
      throw new IllegalArgumentException("maxLinesPerDatagram must be >= 1");
    }
    this.delegate = delegate;
    this.maxLinesPerDatagram = maxLinesPerDatagram;
    this.countedPrefix = countedPrefix.getBytes(StandardCharsets.UTF_8);
    this.destination = destination;
    this.listener = listener;
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
      ByteBuffer datagram = datagram(src, start, end);
      int size = end - start;
      try {
        int written = delegate.write(datagram);
        if (written != size) {
          listener.failed(counted, "short write to " + destination + ": " + written + " of " + size + " bytes");
        } else if (counted > 0) {
          listener.sent(counted);
        }
      } catch (IOException | RuntimeException e) {
        listener.failed(counted, "sending to " + destination + " failed: " + e);
      }
      src.position(end);
    }
    return total;
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
