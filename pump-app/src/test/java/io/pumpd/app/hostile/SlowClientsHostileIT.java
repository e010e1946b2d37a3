package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.Loopback;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The packaged daemon's health port against clients that open connections and never finish their
 * request (issue #9: two such connections used to stop {@code /health} for as long as they stayed
 * open, so a liveness probe restarted the pod). Uses the production limits: a request head must be
 * complete within 5 s.
 */
@DisplayName("hostile clients: stalled requests on the health port")
class SlowClientsHostileIT extends HostileSuite {
  /** {@code HealthServer.Limits.REQUEST_TIMEOUT}, the production value. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration PROMPT = Duration.ofSeconds(1);
  private static final int STALLED = 100;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROMPT).build();
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
  }

  private Map<String, String> dummyEnv() {
    Map<String, String> env = env();
    env.put("TYK_PMP_PUMPS_DUMMY_TYPE", "dummy");
    return env;
  }

  @Test
  void stalledConnectionsNeitherSilenceTheProbesNorOutliveTheRequestTimeout() throws Exception {
    try (DaemonProcess d = DaemonProcess.start(List.of(), dummyEnv(), work)) {
      d.awaitLog(l -> l.contains("Health endpoint on :" + httpPort), Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(30)).until(() -> status("127.0.0.1", "/ready") == 200);

      long sent = System.nanoTime();
      List<Socket> stalled = new ArrayList<>();
      for (int i = 0; i < STALLED; i++) {
        Socket s = connect("127.0.0.1");
        s.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        stalled.add(s);
      }

      for (int round = 0; round < 5; round++) {
        for (String path : List.of("/health", "/ready")) {
          long t0 = System.nanoTime();
          assertThat(get("127.0.0.1", path).statusCode()).as(path).isEqualTo(200);
          assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(path).isLessThan(PROMPT);
        }
      }
      // the probes above were answered while every stalled connection was still open
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(REQUEST_TIMEOUT);

      Duration deadline = REQUEST_TIMEOUT.plusSeconds(3);
      for (Socket s : stalled) {
        awaitEof(s, deadline.minus(Duration.ofNanos(System.nanoTime() - sent)));
      }
      Duration closedAfter = Duration.ofNanos(System.nanoTime() - sent);
      assertThat(closedAfter).isBetween(REQUEST_TIMEOUT.minusMillis(500), deadline);

      assertThat(d.logs()).filteredOn(l -> l.contains("WARN") && l.contains("Health port :" + httpPort
              + " closed a connection (request_timeout)"))
          .hasSize(1);
      HttpResponse<String> metrics = get("127.0.0.1", "/metrics");
      assertThat(metrics.body())
          .contains("pump_http_connections_closed_total{reason=\"request_timeout\"} " + STALLED + ".0");
      assertThat(status("127.0.0.1", "/health")).isEqualTo(200);

      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void healthCheckEndpointAddressRestrictsTheInterface() throws Exception {
    Map<String, String> env = dummyEnv();
    env.put("TYK_PMP_HEALTHCHECKENDPOINTADDRESS", "127.0.0.1");
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      d.awaitLog(l -> l.contains("Health endpoint on 127.0.0.1:" + httpPort), Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(30)).until(() -> status("127.0.0.1", "/ready") == 200);

      assertThat(status("127.0.0.1", "/health")).isEqualTo(200);
      Loopback.assertOtherAddressIsLoopback();
      assertThatThrownBy(() -> connect(Loopback.OTHER)).isInstanceOf(ConnectException.class);

      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void anAddressThatIsNeitherAnIpNorAHostNameExitsTwoNamingKeyAndEnvVar() throws Exception {
    Map<String, String> env = dummyEnv();
    env.put("TYK_PMP_HEALTHCHECKENDPOINTADDRESS", "0.0.0.0:8083");
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      assertThat(d.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(String.join("\n", d.logs())).contains("health_check_endpoint_address")
          .contains("TYK_PMP_HEALTHCHECKENDPOINTADDRESS");
    }
  }

  private Socket connect(String host) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(new InetSocketAddress(host, httpPort), (int) PROMPT.toMillis());
    return s;
  }

  /** Reads until the server closes the connection; fails if it stays open past {@code within}. */
  private static void awaitEof(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) Math.max(1, within.toMillis()));
    try {
      byte[] buf = new byte[1024];
      while (s.getInputStream().read(buf) >= 0) {
        // a server that answered something: keep reading to the end
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("a stalled connection was still open after the request timeout", e);
    }
  }

  private HttpResponse<String> get(String host, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + path))
        .timeout(PROMPT).build(), HttpResponse.BodyHandlers.ofString());
  }

  private int status(String host, String path) {
    try {
      return get(host, path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

}
