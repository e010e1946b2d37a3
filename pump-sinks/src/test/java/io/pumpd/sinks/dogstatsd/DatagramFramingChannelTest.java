package io.pumpd.sinks.dogstatsd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DatagramFramingChannelTest {
  private final List<String> datagrams = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private boolean failNext;

  private final WritableByteChannel socket = new WritableByteChannel() {
    @Override
    public int write(ByteBuffer src) throws IOException {
      if (failNext) {
        failNext = false;
        throw new IOException("refused");
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
    public void failed(int lines, String reason) {
      events.add("failed " + lines + " " + reason);
    }
  };

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
  @DisplayName("a failed datagram is reported with the reason; the rest still go out")
  void failureReported() {
    DatagramFramingChannel ch = new DatagramFramingChannel(socket, 1, "ns.request_time:", "unix:///x", listener);
    failNext = true;

    ch.write(ByteBuffer.wrap("ns.request_time:1|h\nns.request_time:2|h\n".getBytes(StandardCharsets.UTF_8)));

    assertThat(events).containsExactly("failed 1 sending to unix:///x failed: java.io.IOException: refused", "sent 1");
    assertThat(datagrams).containsExactly("ns.request_time:2|h\n");
  }
}
