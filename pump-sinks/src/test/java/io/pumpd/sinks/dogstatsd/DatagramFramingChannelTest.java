package io.pumpd.sinks.dogstatsd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DatagramFramingChannelTest {
  private final List<String> datagrams = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  /** Errors the socket throws on its next writes, in order. */
  private final Deque<IOException> nextErrors = new ArrayDeque<>();
  private int attempts;
  private long now;

  private final WritableByteChannel socket = new WritableByteChannel() {
    @Override
    public int write(ByteBuffer src) throws IOException {
      attempts++;
      IOException e = nextErrors.poll();
      if (e != null) {
        throw e;
      }
      int n = src.remaining();
      datagrams.add(StandardCharsets.UTF_8.decode(src).toString());
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  };

  private final DatagramFramingChannel.Listener listener = new DatagramFramingChannel.Listener() {
    @Override
    public void sent(int lines) {
      events.add("sent " + lines);
    }

    @Override
    public void failed(int lines, String reason, boolean retriable) {
      events.add((retriable ? "retriable " : "failed ") + lines + " " + reason);
    }
  };

  private DatagramFramingChannel channel(int linesPerDatagram) {
    return new DatagramFramingChannel(socket, linesPerDatagram, "ns.request_time:", "unix:///x", listener, () -> now);
  }

  private static ByteBuffer lines(String... lines) {
    return ByteBuffer.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static IOException eagain() {
    return new IOException("Resource temporarily unavailable");
  }

  @Test
  @DisplayName("splits the client's buffer into datagrams of at most N lines and counts only the pump's lines")
  void framesAndCounts() {
    DatagramFramingChannel ch = new DatagramFramingChannel(socket, 2, "ns.request_time:", "test", listener);
    String buffer = "ns.request_time:1|h\nns.request_time:2|h\ndatadog.dogstatsd.client.metrics:5|c\nns.request_time:3|h\n";
    ByteBuffer src = ByteBuffer.wrap(buffer.getBytes(StandardCharsets.UTF_8));

    assertThat(ch.write(src)).isEqualTo(buffer.length());

    assertThat(src.hasRemaining()).isFalse();
    assertThat(datagrams).containsExactly(
        "ns.request_time:1|h\nns.request_time:2|h\n",
        "datadog.dogstatsd.client.metrics:5|c\nns.request_time:3|h\n");
    assertThat(events).containsExactly("sent 2", "sent 1");
  }

  @Test
  @DisplayName("a receiver that refuses fails the datagram as retriable, with the reason; the rest still go out")
  void refusedIsRetriable() {
    nextErrors.add(new IOException("Connection refused"));

    channel(1).write(lines("ns.request_time:1|h", "ns.request_time:2|h"));

    assertThat(events).containsExactly(
        "retriable 1 sending to unix:///x failed: java.io.IOException: Connection refused", "sent 1");
    assertThat(datagrams).containsExactly("ns.request_time:2|h\n");
  }

  @Test
  @DisplayName("EMSGSIZE is the datagram's own fault: a permanent failure")
  void tooLongIsPermanent() {
    nextErrors.add(new IOException("Message too long"));

    channel(1).write(lines("ns.request_time:1|h"));

    assertThat(events).containsExactly("failed 1 sending to unix:///x failed: java.io.IOException: Message too long");
  }

  @Test
  @DisplayName("EAGAIN and ENOBUFS: the same datagram is tried again and goes out once")
  void busyReceiverTriedAgain() {
    nextErrors.add(eagain());
    nextErrors.add(new IOException("No buffer space available"));

    channel(2).write(lines("ns.request_time:1|h", "ns.request_time:2|h"));

    assertThat(attempts).isEqualTo(3);
    assertThat(datagrams).containsExactly("ns.request_time:1|h\nns.request_time:2|h\n");
    assertThat(events).containsExactly("sent 2");
  }

  @Test
  @DisplayName("a receiver busy through every retry: retriable failure, then later datagrams fail at once until the hold ends")
  void busyThroughRetriesHoldsOff() {
    DatagramFramingChannel ch = channel(1);
    for (int i = 0; i <= DatagramFramingChannel.BUSY_RETRIES; i++) {
      nextErrors.add(eagain());
    }

    ch.write(lines("ns.request_time:1|h", "ns.request_time:2|h"));

    assertThat(attempts).isEqualTo(DatagramFramingChannel.BUSY_RETRIES + 1); // the second was not tried
    assertThat(events).hasSize(2).allMatch(e -> e.startsWith("retriable 1 ") && e.contains("temporarily unavailable"));
    assertThat(events.get(1)).contains("not trying again for");

    now += DatagramFramingChannel.BUSY_HOLD_MILLIS * 1_000_000L;
    ch.write(lines("ns.request_time:3|h"));

    assertThat(datagrams).containsExactly("ns.request_time:3|h\n");
    assertThat(events).last().isEqualTo("sent 1");
  }
}
