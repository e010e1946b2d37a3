package io.pumpd.sinks.dogstatsd.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketOptions;
import org.awaitility.Awaitility;

/**
 * A strict in-test DogStatsD receiver ({@code reference/test-backends.md} §6.2): a UDP socket on
 * {@code 127.0.0.1:<ephemeral>} or a unix datagram socket (through jnr-unixsocket, since JDK 17 has
 * no unix datagram channels), read by one daemon thread. Every datagram is split on {@code \n} and
 * every line parsed with {@link DogStatsdLine#parse}; a malformed line is kept in {@link
 * #malformed()} and makes {@link #awaitMetrics} and {@link #assertNothingMalformed} fail, even when
 * the expected metrics also arrived.
 *
 * <p>No real DogStatsD server (Datadog Agent) can run on the test machines, so this checks the
 * exact bytes the pump sends, not what an Agent makes of them. Thread-safe.
 */
public final class StrictDogStatsdListener implements AutoCloseable {
  private static final int RECEIVE_BUFFER = 8 * 1024 * 1024;

  // plain lists under one lock: a copy-on-write list costs O(n) per add, which made the receiver
  // itself the bottleneck (about 1 000 metrics/s) once it held a million
  private final Object lock = new Object();
  private final List<String> datagrams = new ArrayList<>();
  private final List<DogStatsdLine> metrics = new ArrayList<>();
  private final List<String> malformed = new ArrayList<>();
  private final String address;
  private final AutoCloseable socket;
  private final Thread reader;
  private volatile boolean closed;
  private final Semaphore reading = new Semaphore(1);

  private StrictDogStatsdListener(String address, AutoCloseable socket, ReceiveLoop loop) {
    this.address = address;
    this.socket = socket;
    this.reader = new Thread(() -> run(loop), "strict-dogstatsd-listener");
    reader.setDaemon(true);
    reader.start();
  }

  /** A UDP listener on a free loopback port. */
  public static StrictDogStatsdListener udp() {
    try {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      s.setReceiveBufferSize(RECEIVE_BUFFER);
      s.setSoTimeout(100);
      byte[] buf = new byte[64 * 1024];
      ReceiveLoop loop =
          () -> {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
              s.receive(p);
            } catch (SocketTimeoutException e) {
              return null;
            }
            return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
          };
      return new StrictDogStatsdListener("127.0.0.1:" + s.getLocalPort(), s, loop);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A unix datagram socket listener bound at {@code path} (which must not exist yet). */
  public static StrictDogStatsdListener unixDatagram(Path path) {
    try {
      UnixDatagramChannel ch = UnixDatagramChannel.open();
      ch.bind(new UnixSocketAddress(path.toFile()));
      ch.setOption(UnixSocketOptions.SO_RCVTIMEO, 100);
      ch.setOption(UnixSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      ReceiveLoop loop =
          () -> {
            buf.clear();
            try {
              ch.receive(buf);
            } catch (IOException e) {
              if (String.valueOf(e.getMessage()).contains("temporarily unavailable")) {
                return null; // receive timeout
              }
              throw e;
            }
            buf.flip();
            return StandardCharsets.UTF_8.decode(buf).toString();
          };
      AutoCloseable closer =
          () -> {
            ch.close();
            Files.deleteIfExists(path);
          };
      return new StrictDogStatsdListener("unix://" + path.toAbsolutePath(), closer, loop);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pump's {@code address} setting for this listener: {@code 127.0.0.1:<port>} or {@code unix:///path}. */
  public String address() {
    return address;
  }

  /** Every well-formed metric line so far, in arrival order. */
  public List<DogStatsdLine> metrics() {
    synchronized (lock) {
      return List.copyOf(metrics);
    }
  }

  /** Every datagram so far, raw. */
  public List<String> datagrams() {
    synchronized (lock) {
      return List.copyOf(datagrams);
    }
  }

  /** Malformed lines so far, each with the reason. */
  public List<String> malformed() {
    synchronized (lock) {
      return List.copyOf(malformed);
    }
  }

  /**
   * Waits until at least {@code n} metrics have arrived and returns them all.
   *
   * @throws AssertionError a malformed line arrived, or fewer than {@code n} metrics in time
   */
  public List<DogStatsdLine> awaitMetrics(int n, Duration timeout) {
    Awaitility.await("" + n + " metrics at " + address)
        .atMost(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              assertNothingMalformed();
              synchronized (lock) {
                return metrics.size() >= n;
              }
            });
    assertNothingMalformed();
    return metrics();
  }

  /** @throws AssertionError when any malformed line has arrived */
  public void assertNothingMalformed() {
    List<String> bad = malformed();
    if (!bad.isEmpty()) {
      throw new AssertionError("malformed DogStatsD lines at " + address + ": " + bad);
    }
  }

  /**
   * Stops reading the socket (after the datagram being read, if any) until {@link #resumeReading}:
   * the socket's queue fills up and senders see what a busy agent makes them see ({@code EAGAIN}
   * on a unix socket, silent drops on UDP).
   */
  public void pauseReading() throws InterruptedException {
    reading.acquire();
  }

  /** Reads the socket again after {@link #pauseReading}. */
  public void resumeReading() {
    reading.release();
  }

  /** Forgets what has arrived so far. */
  public void clear() {
    synchronized (lock) {
      datagrams.clear();
      metrics.clear();
      malformed.clear();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      reader.join(2000);
      socket.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing " + address, e);
    }
  }

  private void run(ReceiveLoop loop) {
    while (!closed) {
      String datagram;
      try {
        if (!reading.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue; // paused
        }
        try {
          datagram = loop.receive();
        } finally {
          reading.release();
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          synchronized (lock) {
            malformed.add("receive failed: " + e);
          }
        }
        return;
      }
      if (datagram != null) {
        accept(datagram);
      }
    }
  }

  private void accept(String datagram) {
    List<String> lines = new ArrayList<>(List.of(datagram.split("\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1); // the trailing newline
    }
    List<DogStatsdLine> parsed = new ArrayList<>(lines.size());
    List<String> bad = new ArrayList<>();
    if (lines.isEmpty()) {
      bad.add("empty datagram");
    }
    for (String line : lines) {
      try {
        parsed.add(DogStatsdLine.parse(line));
      } catch (IllegalArgumentException e) {
        bad.add("'" + line + "': " + e.getMessage());
      }
    }
    synchronized (lock) {
      datagrams.add(datagram);
      metrics.addAll(parsed);
      malformed.addAll(bad);
    }
  }

  @FunctionalInterface
  private interface ReceiveLoop {
    /** One datagram, or {@code null} after a receive timeout. */
    String receive() throws IOException;
  }
}
