package io.pumpd.app.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A second loopback address for bind-address tests: a server bound to {@code 127.0.0.1} must not
 * be reachable at {@code 127.0.0.2}, which on Linux is loopback too (all of 127/8 is).
 */
public final class Loopback {
  /** The loopback address other than {@code 127.0.0.1} the tests try. */
  public static final String OTHER = "127.0.0.2";

  private Loopback() {}

  /** Fails the test unless {@link #OTHER} reaches a server listening on all interfaces. */
  public static void assertOtherAddressIsLoopback() {
    boolean reachable;
    try (ServerSocket any = new ServerSocket(0); Socket s = new Socket()) {
      s.connect(new InetSocketAddress(OTHER, any.getLocalPort()), 1000);
      reachable = true;
    } catch (IOException e) {
      reachable = false;
    }
    assertThat(reachable).as(OTHER + " routes to loopback (Linux: all of 127/8)").isTrue();
  }
}
