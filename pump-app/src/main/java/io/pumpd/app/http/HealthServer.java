package io.pumpd.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pumpd.app.lifecycle.Readiness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP endpoints on {@code health_check_endpoint_port} (all interfaces, like Tyk):
 *
 * <ul>
 *   <li>{@code GET /<health_check_endpoint_name>} (default {@code /health}): liveness, always
 *       {@code 200 {"status": "ok"}} with {@code Content-type: application/json}, exactly Tyk's
 *       answer;
 *   <li>{@code GET /<readiness_endpoint_name>} (default {@code /ready}): {@code 200
 *       {"status":"ready"}}, or {@code 503 {"status":"not ready","reasons":[...]}} while Redis is
 *       unreachable, before the pumps are initialized, while a pump cannot deliver, and while
 *       draining at shutdown; plus detail sections such as {@code "delivery"} (per pump: backlog
 *       records, lag seconds, records dropped by the backlog bound) in {@code at_least_once} mode;
 *   <li>{@code GET /<metrics_endpoint_name>} (default {@code /metrics}): Prometheus text format.
 * </ul>
 *
 * Other methods get 405, other paths 404. Lifecycle: {@link #start()} once, {@link #stop()} once.
 */
public final class HealthServer {
  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String HEALTH_BODY = "{\"status\": \"ok\"}";

  private final HttpServer server;

  /**
   * Binds the port at once, so that a port in use fails startup.
   *
   * @param metrics renders the Prometheus text
   * @throws IOException the port cannot be bound
   */
  public HealthServer(
      int port,
      String healthPath,
      String readyPath,
      String metricsPath,
      Readiness readiness,
      Supplier<String> metrics)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "http");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", ex -> route(ex, healthPath, readyPath, metricsPath, readiness, metrics));
  }

  /** The bound port (useful with port 0 in tests). */
  public int port() {
    return server.getAddress().getPort();
  }

  public void start() {
    server.start();
    LOG.info("Health endpoint on :{} (liveness), readiness and metrics on the same port", port());
  }

  public void stop() {
    server.stop(0);
  }

  private static void route(HttpExchange ex, String health, String ready, String metricsPath,
      Readiness readiness, Supplier<String> metrics) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      boolean known = path.equals("/" + health) || path.equals("/" + ready)
          || path.equals("/" + metricsPath);
      if (!known) {
        send(ex, 404, "text/plain", "404 page not found\n");
        return;
      }
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        send(ex, 405, "text/plain", "method not allowed\n");
        return;
      }
      if (path.equals("/" + health)) {
        send(ex, 200, "application/json", HEALTH_BODY);
      } else if (path.equals("/" + ready)) {
        List<String> reasons = readiness.reasons();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", reasons.isEmpty() ? "ready" : "not ready");
        if (!reasons.isEmpty()) {
          body.put("reasons", reasons);
        }
        body.putAll(readiness.details());
        send(ex, reasons.isEmpty() ? 200 : 503, "application/json", JSON.writeValueAsString(body));
      } else {
        send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
      }
    } catch (RuntimeException e) {
      LOG.warn("HTTP handler failed: {}", e.toString());
    }
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-type", type);
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
