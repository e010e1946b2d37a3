package io.pumpd.sinks.influx2.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * A strict in-test stand-in for the parts of the InfluxDB 2 HTTP API the influx2 pump uses ({@code
 * reference/test-backends.md} §5.4), on the JDK's {@link HttpServer} at {@code 127.0.0.1:<free>}:
 * {@code GET /ping}, {@code GET /api/v2/orgs}, {@code GET|POST /api/v2/buckets} and {@code POST
 * /api/v2/write}. It records every request and is strict the way InfluxDB 2 is, and stricter:
 *
 * <ul>
 *   <li>any other path: 404 and a {@linkplain #violations() violation};
 *   <li>a missing or wrong {@code Authorization: Token <token>}: 401;
 *   <li>a write without {@code org} or {@code bucket}: 400 and a violation; an unknown org or
 *       bucket: 404;
 *   <li>a write whose {@code precision} is not the expected one, or with any line that is not
 *       valid line protocol (or whose timestamp is not a time between 2000 and 2100 in that
 *       precision): 400 and a violation.
 * </ul>
 *
 * Write responses can be scripted ({@link #enqueueWrite}, {@link #onWrite}: 401, 422, 429 with
 * {@code Retry-After}, 503, slow answers); otherwise a valid write gets 204, or, when built with a
 * pass-through URL (the embedded QuestDB), is forwarded there and answered with what that server
 * says. This checks the request shape and InfluxDB 2's documented answers, not InfluxDB 2 itself.
 * Thread-safe.
 */
public final class RecordingInfluxServer implements AutoCloseable {
  /** A recorded request, with its parsed line-protocol points for writes. */
  public record RecordedRequest(
      String method,
      String path,
      Map<String, String> query,
      Map<String, List<String>> headers,
      String body,
      List<LinePoint> points,
      Instant receivedAt) {

    /** The first value of a header (case-insensitive name), or {@code null}. */
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** A scripted answer. Immutable. */
  public record Reply(int status, Map<String, String> headers, String body, Duration delay) {
    public static Reply status(int status) {
      return new Reply(status, Map.of(), "", Duration.ZERO);
    }

    /** An InfluxDB-2-style error: {@code {"code": code, "message": message}}. */
    public static Reply error(int status, String code, String message) {
      ObjectNode n = JSON.createObjectNode().put("code", code).put("message", message);
      return new Reply(status, Map.of("Content-Type", "application/json; charset=utf-8"), n.toString(), Duration.ZERO);
    }

    public Reply header(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Reply(status, h, body, delay);
    }

    public Reply after(Duration d) {
      return new Reply(status, headers, body, d);
    }
  }

  static {
    // Without it the JDK server's separate header and body segments meet delayed ACKs (~40 ms per request).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> PRECISIONS = Set.of("ns", "us", "ms", "s");

  private final HttpServer server;
  private final String token;
  private final String org;
  private final String orgId = "0123456789abcdef";
  private final String expectedPrecision;
  private final String passThrough;
  private final Set<String> buckets = ConcurrentHashMap.newKeySet();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Reply> scriptedWrites = new ConcurrentLinkedQueue<>();
  private final HttpClient forwarder = HttpClient.newHttpClient();
  private volatile Function<RecordedRequest, Reply> writeHandler;

  private RecordingInfluxServer(Builder b) {
    this.token = b.token;
    this.org = b.org;
    this.expectedPrecision = b.precision;
    this.passThrough = b.passThrough;
    this.buckets.addAll(b.buckets);
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "recording-influx");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  /** Starts building a server that accepts {@code token} for organization {@code org}. */
  public static Builder builder(String token, String org) {
    return new Builder(token, org);
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private final String token;
    private final String org;
    private final List<String> buckets = new ArrayList<>();
    private String precision = "us";
    private String passThrough;

    private Builder(String token, String org) {
      this.token = token;
      this.org = org;
    }

    /** A bucket that exists from the start. */
    public Builder bucket(String name) {
      buckets.add(name);
      return this;
    }

    /** The precision writes must use (default {@code us}). */
    public Builder precision(String p) {
      precision = p;
      return this;
    }

    /** Forward valid writes to this base URL (e.g. the embedded QuestDB) and relay its answer. */
    public Builder passThrough(String baseUrl) {
      passThrough = baseUrl;
      return this;
    }

    public RecordingInfluxServer start() {
      return new RecordingInfluxServer(this);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request so far, in arrival order. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** The {@code POST /api/v2/write} requests so far. */
  public List<RecordedRequest> writes() {
    return requests.stream().filter(r -> r.path().equals("/api/v2/write")).toList();
  }

  /** Points of every write so far, in order. */
  public List<LinePoint> points() {
    return writes().stream().flatMap(r -> r.points().stream()).toList();
  }

  /** Protocol violations seen (wrong precision, malformed lines, unknown paths...). */
  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** Buckets that exist now (initial plus created). */
  public Set<String> buckets() {
    return Set.copyOf(buckets);
  }

  /** The next write gets {@code reply} (FIFO; before any {@link #onWrite} handler). */
  public RecordingInfluxServer enqueueWrite(Reply reply) {
    scriptedWrites.add(reply);
    return this;
  }

  /** Decides the answer to each valid write not answered by a queued reply; {@code null} for none. */
  public RecordingInfluxServer onWrite(Function<RecordedRequest, Reply> handler) {
    writeHandler = handler;
    return this;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Map<String, String> query = query(ex.getRequestURI());
      String body = body(ex);
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      List<LinePoint> points = new ArrayList<>();
      String lineError = null;
      if (path.equals("/api/v2/write")) {
        lineError = parseLines(body, query.get("precision"), points);
      }
      RecordedRequest req =
          new RecordedRequest(
              method, path, query, Map.copyOf(ex.getRequestHeaders()), body, List.copyOf(points), Instant.now());
      requests.add(req);
      Reply reply = route(req, lineError);
      if (!reply.delay().isZero()) {
        Thread.sleep(reply.delay().toMillis());
      }
      send(ex, reply);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      violations.add("server error: " + e);
      send(ex, Reply.error(500, "internal error", e.toString()));
    }
  }

  private Reply route(RecordedRequest req, String lineError) {
    String key = req.method() + " " + req.path();
    if (key.equals("GET /ping") || key.equals("HEAD /ping")) {
      return Reply.status(204).header("X-Influxdb-Version", "v2.7.11");
    }
    if (!List.of("GET /api/v2/orgs", "GET /api/v2/buckets", "POST /api/v2/buckets", "POST /api/v2/write")
        .contains(key)) {
      violations.add("unexpected request " + key);
      return Reply.error(404, "not found", "path not found");
    }
    if (!("Token " + token).equals(req.header("Authorization"))) {
      return Reply.error(401, "unauthorized", "unauthorized access");
    }
    return switch (key) {
      case "GET /api/v2/orgs" -> orgs(req);
      case "GET /api/v2/buckets" -> findBuckets(req);
      case "POST /api/v2/buckets" -> createBucket(req);
      default -> write(req, lineError);
    };
  }

  private Reply orgs(RecordedRequest req) {
    String name = req.query().get("org");
    if (name != null && !name.equals(org)) {
      return Reply.error(404, "not found", "organization name \"" + name + "\" not found");
    }
    ObjectNode n = JSON.createObjectNode();
    n.putArray("orgs").addObject().put("id", orgId).put("name", org);
    return json(200, n);
  }

  private Reply findBuckets(RecordedRequest req) {
    String orgIdParam = req.query().get("orgID");
    if (orgIdParam != null && !orgIdParam.equals(orgId)) {
      return Reply.error(404, "not found", "organization not found");
    }
    String name = req.query().get("name");
    ObjectNode n = JSON.createObjectNode();
    ArrayNode list = n.putArray("buckets");
    for (String b : buckets) {
      if (name == null || name.equals(b)) {
        bucketJson(list.addObject(), b);
      }
    }
    return json(200, n);
  }

  private Reply createBucket(RecordedRequest req) {
    JsonNode body;
    try {
      body = JSON.readTree(req.body());
    } catch (IOException e) {
      violations.add("bucket creation body is not JSON: " + req.body());
      return Reply.error(400, "invalid", "malformed JSON");
    }
    if (!orgId.equals(body.path("orgID").asText()) || body.path("name").asText().isEmpty()) {
      violations.add("bucket creation without a valid orgID and name: " + body);
      return Reply.error(400, "invalid", "orgID and name are required");
    }
    String name = body.path("name").asText();
    if (!buckets.add(name)) {
      return Reply.error(422, "conflict", "bucket with name " + name + " already exists");
    }
    return json(201, bucketJson(JSON.createObjectNode(), name));
  }

  private Reply write(RecordedRequest req, String lineError) {
    String reqOrg = req.query().get("org");
    String reqBucket = req.query().get("bucket");
    if (reqOrg == null || reqOrg.isEmpty() || reqBucket == null || reqBucket.isEmpty()) {
      violations.add("write without org or bucket: " + req.query());
      return Reply.error(400, "invalid", "missing org or bucket");
    }
    if (!expectedPrecision.equals(req.query().get("precision"))) {
      violations.add("write with precision " + req.query().get("precision") + ", expected " + expectedPrecision);
      return Reply.error(400, "invalid", "unexpected precision");
    }
    if (lineError != null) {
      violations.add(lineError);
      return Reply.error(400, "invalid", lineError);
    }
    if (!reqOrg.equals(org) && !reqOrg.equals(orgId)) {
      return Reply.error(404, "not found", "organization name \"" + reqOrg + "\" not found");
    }
    if (!buckets.contains(reqBucket)) {
      return Reply.error(404, "not found", "bucket \"" + reqBucket + "\" not found");
    }
    Reply scripted = scriptedWrites.poll();
    if (scripted != null) {
      return scripted;
    }
    Function<RecordedRequest, Reply> handler = writeHandler;
    if (handler != null) {
      Reply r = handler.apply(req);
      if (r != null) {
        return r;
      }
    }
    return passThrough == null ? Reply.status(204) : forward(req);
  }

  private Reply forward(RecordedRequest req) {
    try {
      String q = "org=" + req.query().get("org") + "&bucket=" + req.query().get("bucket")
          + "&precision=" + req.query().get("precision");
      HttpResponse<String> resp =
          forwarder.send(
              HttpRequest.newBuilder(URI.create(passThrough + "/api/v2/write?" + q))
                  .header("Content-Type", "text/plain; charset=utf-8")
                  .POST(HttpRequest.BodyPublishers.ofString(req.body()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Map<String, String> headers = new LinkedHashMap<>();
      resp.headers().firstValue("Content-Type").ifPresent(v -> headers.put("Content-Type", v));
      return new Reply(resp.statusCode(), headers, resp.body(), Duration.ZERO);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Parses every line of a write body into {@code out}; returns the first problem, or null. */
  private static String parseLines(String body, String precision, List<LinePoint> out) {
    if (body.isEmpty()) {
      return "empty write body";
    }
    if (precision == null || !PRECISIONS.contains(precision)) {
      return "bad precision " + precision;
    }
    String[] lines = body.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty() && i == lines.length - 1) {
        continue;
      }
      try {
        LinePoint p = LinePoint.parse(lines[i]);
        if (p.timestamp() != null && !plausible(p.timestamp(), precision)) {
          return "line " + (i + 1) + ": timestamp " + p.timestamp() + " is not a time between 2000 and 2100 in "
              + precision;
        }
        out.add(p);
      } catch (IllegalArgumentException e) {
        return "line " + (i + 1) + " is not line protocol (" + e.getMessage() + "): " + lines[i];
      }
    }
    return null;
  }

  private static boolean plausible(long ts, String precision) {
    long perSecond = switch (precision) {
      case "ns" -> 1_000_000_000L;
      case "us" -> 1_000_000L;
      case "ms" -> 1_000L;
      default -> 1L;
    };
    long seconds = Math.floorDiv(ts, perSecond);
    return seconds >= 946_684_800L && seconds < 4_102_444_800L;
  }

  private ObjectNode bucketJson(ObjectNode n, String name) {
    n.put("id", Integer.toHexString(name.hashCode()))
        .put("orgID", orgId)
        .put("name", name)
        .put("type", "user")
        .putArray("retentionRules");
    return n;
  }

  private static Reply json(int status, JsonNode body) {
    return new Reply(status, Map.of("Content-Type", "application/json; charset=utf-8"), body.toString(), Duration.ZERO);
  }

  private static Map<String, String> query(URI uri) {
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return Collections.unmodifiableMap(out);
  }

  private static String body(HttpExchange ex) throws IOException {
    byte[] raw = ex.getRequestBody().readAllBytes();
    String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
    if (enc != null && enc.equalsIgnoreCase("gzip")) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
        raw = in.readAllBytes();
      }
    }
    return new String(raw, StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange ex, Reply reply) throws IOException {
    reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    boolean noBody = body.length == 0 || reply.status() == 204;
    ex.sendResponseHeaders(reply.status(), noBody ? -1 : body.length);
    if (!noBody) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
