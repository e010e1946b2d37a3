package io.pumpd.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.app.lifecycle.Readiness;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the health port answers, independent of the server that carries it:
 *
 * <ul>
 *   <li>{@code GET /<health_check_endpoint_name>} (default {@code /health}): liveness, always
 *       {@code 200 {"status": "ok"}} with {@code Content-Type: application/json}, exactly Tyk's
 *       answer;
 *   <li>{@code GET /<readiness_endpoint_name>} (default {@code /ready}): {@code 200
 *       {"status":"ready"}}, or {@code 503 {"status":"not ready","reasons":[...]}} while Redis is
 *       unreachable, before the pumps are initialized, while a pump cannot deliver, and while
 *       draining at shutdown; plus detail sections such as {@code "delivery"} (per pump: backlog
 *       records, lag seconds, records dropped by the backlog bound) in {@code at_least_once} mode;
 *   <li>{@code GET /<metrics_endpoint_name>} (default {@code /metrics}): Prometheus text format.
 * </ul>
 *
 * {@code HEAD} is answered like {@code GET} without the body; other methods on these paths get
 * 405, other paths {@code 404 page not found}. The path is compared after percent-decoding, and the
 * query string is ignored.
 *
 * <p>Threading: {@link #answer} runs on the HTTP server's event-loop threads, concurrently. The
 * {@link Readiness} checks and details and the metrics supplier must therefore be cheap and
 * thread-safe and must never block (no I/O, no waiting on locks held across I/O): they read state
 * that other threads maintain. A supplier that throws gives a 500.
 */
public final class HealthRoutes {
  static final String HEALTH_BODY = "{\"status\": \"ok\"}";
  static final String JSON_TYPE = "application/json";
  static final String TEXT_TYPE = "text/plain";
  static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An answer: status, {@code Content-Type} and the body of a {@code GET}. */
  record Answer(int status, String contentType, byte[] body) {
    static Answer text(int status, String body) {
      return new Answer(status, TEXT_TYPE, body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final String healthPath;
  private final String readyPath;
  private final String metricsPath;
  private final Readiness readiness;
  private final Supplier<String> metrics;

  /**
   * @param health {@code health_check_endpoint_name}, without the leading slash
   * @param ready {@code readiness_endpoint_name}
   * @param metricsName {@code metrics_endpoint_name}
   * @param metrics renders the Prometheus text; cheap, thread-safe, non-blocking
   */
  public HealthRoutes(String health, String ready, String metricsName, Readiness readiness,
      Supplier<String> metrics) {
    this.healthPath = "/" + health;
    this.readyPath = "/" + ready;
    this.metricsPath = "/" + metricsName;
    this.readiness = readiness;
    this.metrics = metrics;
  }

  /** The answer to {@code method} on {@code uri} (the request target as sent). */
  Answer answer(String method, String uri) throws JsonProcessingException {
    String path;
    try {
      path = new URI(uri).getPath();
    } catch (URISyntaxException e) {
      return Answer.text(400, "400 Bad Request\n");
    }
    boolean known = healthPath.equals(path) || readyPath.equals(path) || metricsPath.equals(path);
    if (!known) {
      return Answer.text(404, "404 page not found\n");
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return Answer.text(405, "method not allowed\n");
    }
    if (path.equals(healthPath)) {
      return new Answer(200, JSON_TYPE, HEALTH_BODY.getBytes(StandardCharsets.UTF_8));
    }
    if (path.equals(readyPath)) {
      return ready();
    }
    return new Answer(200, PROMETHEUS_TYPE, metrics.get().getBytes(StandardCharsets.UTF_8));
  }

  private Answer ready() throws JsonProcessingException {
    List<String> reasons = readiness.reasons();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", reasons.isEmpty() ? "ready" : "not ready");
    if (!reasons.isEmpty()) {
      body.put("reasons", reasons);
    }
    body.putAll(readiness.details());
    return new Answer(reasons.isEmpty() ? 200 : 503, JSON_TYPE, JSON.writeValueAsBytes(body));
  }
}
