package io.pumpd.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.app.http.ConnectionGuard.CloseReason;
import io.pumpd.app.lifecycle.Readiness;
import io.pumpd.app.testing.Loopback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class HealthServerTest {
  private static final Duration PROMPT = Duration.ofSeconds(1);

  private final Readiness readiness = new Readiness();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Socket> sockets = new ArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private HealthServer server;

  private HealthServer start(String address, HealthServer.Limits limits) throws IOException {
    readiness.addCheck(() -> List.copyOf(problems));
    server = new HealthServer(address, 0,
        new HealthRoutes("health", "ready", "metrics", readiness, () -> "up 1\n"), limits, meters);
    server.start();
    return server;
  }

  private HttpResponse<String> get(String path) throws Exception {
    if (server == null) {
      start("", HealthServer.Limits.DEFAULTS);
    }
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(PROMPT).build(), HttpResponse.BodyHandlers.ofString());
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void healthAnswersExactlyLikeTykWhateverTheReadiness() throws Exception {
    HttpResponse<String> r = get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\": \"ok\"}");
    assertThat(r.headers().firstValue("Content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("Content-Length")).hasValue("16");
  }

  @Test
  void readinessIsFalseBeforeInitWhileAPumpOrRedisIsDownAndWhileDraining() throws Exception {
    assertThat(get("/ready").statusCode()).isEqualTo(503);
    assertThat(get("/ready").body()).contains("pumps not initialized yet");
    readiness.markInitialized();
    assertThat(get("/ready").statusCode()).isEqualTo(200);
    assertThat(get("/ready").body()).isEqualTo("{\"status\":\"ready\"}");
    problems.add("redis unreachable");
    HttpResponse<String> down = get("/ready");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).isEqualTo("{\"status\":\"not ready\",\"reasons\":[\"redis unreachable\"]}");
    problems.clear();
    readiness.markDraining();
    assertThat(get("/ready").statusCode()).isEqualTo(503);
    assertThat(get("/ready").body()).contains("shutting down");
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsAndUnknownPathsAndMethods() throws Exception {
    assertThat(get("/metrics").body()).isEqualTo("up 1\n");
    assertThat(get("/metrics?x=1").body()).isEqualTo("up 1\n");
    HttpResponse<String> nope = get("/nope");
    assertThat(nope.statusCode()).isEqualTo(404);
    assertThat(nope.body()).isEqualTo("404 page not found\n");
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/health"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    HttpResponse<String> head = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/health"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Length")).hasValue("16");
  }

  @Test
  void stalledRequestsNeitherDelayTheEndpointsNorStayOpenPastTheRequestTimeout() throws Exception {
    Duration timeout = Duration.ofSeconds(3);
    start("", HealthServer.Limits.DEFAULTS.withTimeouts(timeout, Duration.ofSeconds(30)));
    try (LogEvents logs = new LogEvents()) {
      long opened = System.nanoTime();
      List<Socket> stalled = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        stalled.add(stalled("GET /hea"));
      }

      for (String path : List.of("/health", "/ready", "/metrics")) {
        long t0 = System.nanoTime();
        assertThat(get(path).statusCode()).isIn(200, 503);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPT);
      }
      // ...and they were answered while the stalled connections were open
      assertThat(server.openConnections()).isGreaterThanOrEqualTo(20);
      assertThat(server.closedConnections(CloseReason.REQUEST_TIMEOUT)).isZero();

      for (Socket s : stalled) {
        assertThat(readToEof(s, timeout.plusSeconds(5))).isEmpty();
      }
      Duration closedAfter = Duration.ofNanos(System.nanoTime() - opened);
      assertThat(closedAfter).isBetween(timeout.minusMillis(200), timeout.plusSeconds(2));
      assertThat(server.closedConnections(CloseReason.REQUEST_TIMEOUT)).isEqualTo(20);
      assertThat(meters.get("pump.http.connections.closed").tag("reason", "request_timeout")
          .functionCounter().count()).isEqualTo(20.0);
      // one warning for the twenty, naming the cause
      assertThat(logs.warnings()).singleElement().asString().containsPattern(
          "closed a connection \\(request_timeout\\); since start: \\d+ sent no complete request"
              + " within 3000 ms");
    }
  }

  @Test
  void aKeptAliveConnectionServesAgainAndIsClosedWhenIdle() throws Exception {
    start("", HealthServer.Limits.DEFAULTS.withTimeouts(Duration.ofSeconds(5),
        Duration.ofMillis(500)));
    try (LogEvents logs = new LogEvents()) {
      Socket s = connect();
      s.setSoTimeout(5000);
      for (int i = 0; i < 2; i++) {
        send(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        // Tyk's answer as Go writes it
        assertThat(readResponse(s.getInputStream())).matches("HTTP/1\\.1 200 OK\r\n"
            + "Content-Type: application/json\r\n"
            + "Date: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n"
            + "Content-Length: 16\r\n\r\n"
            + "\\{\"status\": \"ok\"\\}");
      }
      long t0 = System.nanoTime();
      assertThat(readToEof(s, Duration.ofSeconds(5))).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(300),
          Duration.ofSeconds(3));
      assertThat(server.closedConnections(CloseReason.IDLE)).isEqualTo(1);
      assertThat(logs.warnings()).isEmpty();
    }
  }

  @Test
  void pipelinedAndHttp10RequestsAreAnsweredInOrder() throws Exception {
    start("", HealthServer.Limits.DEFAULTS);
    Socket pipelined = connect();
    send(pipelined, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        + "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    String all = readToEof(pipelined, Duration.ofSeconds(5));
    assertThat(all).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(all.indexOf("{\"status\": \"ok\"}HTTP/1.1 200 OK\r\n")).isPositive();
    assertThat(all).doesNotContain("up 1").endsWith("Connection: close\r\n\r\n404 page not found\n");

    Socket http10 = connect();
    send(http10, "GET /health HTTP/1.0\r\n\r\n");
    assertThat(readToEof(http10, Duration.ofSeconds(5))).startsWith("HTTP/1.0 200 OK\r\n")
        .endsWith("{\"status\": \"ok\"}");
  }

  @Test
  void oversizedRequestHeadsGet431AndAreClosed() throws Exception {
    start("", HealthServer.Limits.DEFAULTS);
    Socket header = connect();
    send(header, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_000) + "\r\n\r\n");
    assertThat(readToEof(header, Duration.ofSeconds(5)))
        .startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n")
        .contains("Connection: close\r\n");

    Socket line = connect();
    send(line, "GET /" + "h".repeat(5000));
    assertThat(readToEof(line, Duration.ofSeconds(5)))
        .startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
    assertThat(server.closedConnections(CloseReason.TOO_LARGE)).isEqualTo(2);

    Socket garbage = connect();
    send(garbage, "\u0016\u0003\u0001 not http\r\n\r\n");
    assertThat(readToEof(garbage, Duration.ofSeconds(5))).startsWith("HTTP/1.1 400 Bad Request\r\n");
  }

  @Test
  void aRequestBodyIsNotWaitedForTheAnswerComesAndTheConnectionCloses() throws Exception {
    start("", HealthServer.Limits.DEFAULTS);
    Socket s = connect();
    // announces a megabyte and sends none of it
    send(s, "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n");
    assertThat(readToEof(s, Duration.ofSeconds(2))).startsWith("HTTP/1.1 405 Method Not Allowed\r\n")
        .contains("Connection: close\r\n").endsWith("method not allowed\n");
  }

  @Test
  void connectionsBeyondTheCapAreClosedAtOnceAndCounted() throws Exception {
    start("", HealthServer.Limits.DEFAULTS.withMaxConnections(5));
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(stalled("GET /hea"));
    }
    await().atMost(PROMPT).until(() -> server.openConnections() == 5);

    Socket extra = connect();
    long t0 = System.nanoTime();
    assertThat(readToEof(extra, Duration.ofSeconds(3))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPT);
    assertThat(server.closedConnections(CloseReason.OVER_LIMIT)).isEqualTo(1);

    held.get(0).close();
    await().atMost(PROMPT).until(() -> server.openConnections() == 4);
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void bindsTheConfiguredAddressOnly() throws Exception {
    start("127.0.0.1", HealthServer.Limits.DEFAULTS);

    assertThat(server.address().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
    assertThat(get("/health").statusCode()).isEqualTo(200);
    Loopback.assertOtherAddressIsLoopback();
    assertThatThrownBy(() -> new Socket().connect(
        new InetSocketAddress(Loopback.OTHER, server.port()), 1000))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void anEmptyAddressBindsAllInterfaces() throws Exception {
    start("", HealthServer.Limits.DEFAULTS);

    assertThat(server.address().getAddress().isAnyLocalAddress()).isTrue();
    Loopback.assertOtherAddressIsLoopback();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(Loopback.OTHER, server.port()), 1000);
    }
  }

  @Test
  void aPortInUseOrAnUnresolvableAddressFailsConstruction() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> new HealthServer("127.0.0.1", taken.getLocalPort(),
          new HealthRoutes("health", "ready", "metrics", readiness, () -> ""),
          HealthServer.Limits.DEFAULTS, meters))
          .isInstanceOf(IOException.class).hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
    }
    assertThatThrownBy(() -> new HealthServer("no-such-host.invalid", 0,
        new HealthRoutes("health", "ready", "metrics", readiness, () -> ""),
        HealthServer.Limits.DEFAULTS, meters))
        .isInstanceOf(IOException.class).hasMessageContaining("does not resolve");
  }

  @Test
  void stopIsPromptAndClosesOpenConnections() throws Exception {
    start("", HealthServer.Limits.DEFAULTS);
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      held.add(stalled("GET /hea"));
    }
    await().atMost(PROMPT).until(() -> server.openConnections() == 10);

    long t0 = System.nanoTime();
    server.stop();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    for (Socket s : held) {
      assertThat(readToEof(s, PROMPT)).isEmpty();
    }
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
        t -> t.getName().startsWith("http-") && t.isAlive() && !t.isDaemon());
  }

  // ---- sockets ----

  private Socket connect() throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 1000);
    return s;
  }

  /** A connection that sends an incomplete request and then nothing. */
  private Socket stalled(String partial) throws IOException {
    Socket s = connect();
    send(s, partial);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  /**
   * Everything the server sends until it closes the connection; fails when it is still open
   * after {@code within}.
   */
  static String readToEof(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("connection still open after " + within + "; got: " + got, e);
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  /** One response (head and a Content-Length body) off a kept-alive connection. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new AssertionError("closed mid-response: " + head);
      }
      head.append((char) c);
    }
    int length = head.toString().lines()
        .filter(l -> l.toLowerCase().startsWith("content-length:"))
        .mapToInt(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim()))
        .findFirst().orElse(0);
    return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }


  /** WARN events of the health server's logger while open. */
  private static final class LogEvents implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(HealthServer.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogEvents() {
      appender.setContext(logger.getLoggerContext());
      appender.start();
      logger.addAppender(appender);
    }

    List<String> warnings() {
      synchronized (appender.list) {
        return appender.list.stream().filter(e -> e.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage).toList();
      }
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      appender.stop();
    }
  }
}
