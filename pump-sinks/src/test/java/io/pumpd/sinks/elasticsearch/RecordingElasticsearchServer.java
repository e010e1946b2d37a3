package io.pumpd.sinks.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A strict protocol-level stand-in for Elasticsearch, for what the embedded node cannot show: the
 * headers a client sends (authentication, media types), TLS, and scripted failures. It answers
 * {@code GET /_cluster/health}, {@code PUT /_index_template/*}, {@code POST /_bulk} and {@code
 * PUT|POST /<index>/_doc[/<id>]} (by default, every document created) like Elasticsearch 8 does,
 * records every request, and counts bulk requests in flight. Thread-safe.
 */
final class RecordingElasticsearchServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received. */
  record Recorded(String method, String path, String query, Headers headers, byte[] body, String clientPrincipal) {
    String header(String name) {
      return headers.getFirst(name);
    }

    /** For {@code _bulk}: the action lines ({@code {"index":{...}}}), one per document. */
    List<JsonNode> actions() {
      List<JsonNode> out = new ArrayList<>();
      String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i < lines.length; i += 2) {
        out.add(readTree(lines[i]));
      }
      return out;
    }

    /** For {@code _bulk}: the documents. */
    List<JsonNode> documents() {
      List<JsonNode> out = new ArrayList<>();
      String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
      for (int i = 1; i < lines.length; i += 2) {
        out.add(readTree(lines[i]));
      }
      return out;
    }

    boolean isBulk() {
      return path.endsWith("/_bulk");
    }

    /** A single-document index request, {@code /<index>/_doc[/<id>]}. */
    boolean isDocument() {
      String[] parts = path.split("/");
      return (parts.length == 3 || parts.length == 4) && parts[2].equals("_doc");
    }

    /** For a single-document request: the id in its path, or "" when Elasticsearch is to assign one. */
    String documentId() {
      String[] parts = path.split("/");
      return parts.length == 4 ? parts[3] : "";
    }
  }

  /** A scripted answer. */
  record Reply(int status, String json) {
    /** Every document of {@code bulk} with the status {@code statusOf(position)}. */
    static Reply items(Recorded bulk, Function<Integer, Integer> statusOf) {
      ObjectNode r = JSON.createObjectNode();
      r.put("took", 1);
      ArrayNode items = r.putArray("items");
      boolean errors = false;
      List<JsonNode> actions = bulk.actions();
      for (int i = 0; i < actions.size(); i++) {
        int status = statusOf.apply(i);
        JsonNode meta = actions.get(i).path("index");
        ObjectNode item = items.addObject().putObject("index");
        item.put("_index", meta.path("_index").asText());
        item.put("_id", meta.hasNonNull("_id") ? meta.get("_id").asText() : "auto-" + i);
        item.put("status", status);
        if (status >= 300) {
          errors = true;
          ObjectNode error = item.putObject("error");
          error.put("type", status == 429 ? "es_rejected_execution_exception" : "document_parsing_exception");
          error.put("reason", "scripted failure with status " + status);
        } else {
          item.put("result", "created").put("_version", 1).put("_seq_no", i).put("_primary_term", 1);
          item.putObject("_shards").put("total", 1).put("successful", 1).put("failed", 0);
        }
      }
      r.put("errors", errors);
      return new Reply(200, r.toString());
    }

    static Reply created(Recorded bulk) {
      return items(bulk, i -> 201);
    }

    /** A single-document index request answered as created. */
    static Reply indexed(Recorded doc) {
      ObjectNode r = JSON.createObjectNode();
      r.put("_index", doc.path().split("/")[1]);
      r.put("_id", doc.documentId().isEmpty() ? "auto-1" : doc.documentId());
      r.put("_version", 1).put("result", "created").put("_seq_no", 0).put("_primary_term", 1);
      r.putObject("_shards").put("total", 1).put("successful", 1).put("failed", 0);
      return new Reply(201, r.toString());
    }

    /** A whole-request failure as Elasticsearch words it. */
    static Reply error(int status, String type) {
      return new Reply(status,
          "{\"error\":{\"root_cause\":[{\"type\":\"" + type + "\",\"reason\":\"scripted\"}],\"type\":\"" + type
              + "\",\"reason\":\"scripted\"},\"status\":" + status + "}");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final boolean tls;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Function<Recorded, Reply> bulk = Reply::created;
  private volatile Function<Recorded, Reply> document = Reply::indexed;
  private volatile Function<Recorded, Reply> template = r -> new Reply(200, "{\"acknowledged\":true}");
  private volatile boolean productHeader = true;

  private RecordingElasticsearchServer(HttpServer server, boolean tls) {
    this.server = server;
    this.tls = tls;
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  static RecordingElasticsearchServer http() throws IOException {
    return new RecordingElasticsearchServer(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), false);
  }

  /** HTTPS with {@code context}'s key; {@code needClientAuth} demands a client certificate. */
  static RecordingElasticsearchServer https(SSLContext context, boolean needClientAuth) throws IOException {
    HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        javax.net.ssl.SSLParameters sp = context.getDefaultSSLParameters();
        sp.setNeedClientAuth(needClientAuth);
        params.setSSLParameters(sp);
      }
    });
    return new RecordingElasticsearchServer(s, true);
  }

  String url() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** How {@code _bulk} requests are answered (default: every document created). */
  void onBulk(Function<Recorded, Reply> answer) {
    this.bulk = answer;
  }

  /** How single-document index requests are answered (default: created). */
  void onDocument(Function<Recorded, Reply> answer) {
    this.document = answer;
  }

  void onTemplate(Function<Recorded, Reply> answer) {
    this.template = answer;
  }

  /** Whether answers carry {@code X-Elastic-Product: Elasticsearch} (7.x before 7.14 did not). */
  void productHeader(boolean send) {
    this.productHeader = send;
  }

  List<Recorded> requests() {
    return List.copyOf(requests);
  }

  List<Recorded> bulkRequests() {
    return requests.stream().filter(Recorded::isBulk).toList();
  }

  /** Documents received in bulk requests, over all requests. */
  int bulkDocuments() {
    return bulkRequests().stream().mapToInt(r -> r.actions().size()).sum();
  }

  int maxBulkInFlight() {
    return maxInFlight.get();
  }

  int bulkInFlight() {
    return inFlight.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      String principal = null;
      if (ex instanceof HttpsExchange hx) {
        try {
          principal = ((X509Certificate) hx.getSSLSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException none) {
          principal = null;
        }
      }
      Recorded r = new Recorded(ex.getRequestMethod(), ex.getRequestURI().getPath(),
          ex.getRequestURI().getRawQuery() == null ? "" : java.net.URLDecoder.decode(ex.getRequestURI().getRawQuery(),
              StandardCharsets.UTF_8), ex.getRequestHeaders(), body, principal);
      requests.add(r);
      Reply reply;
      if (r.isBulk()) {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
          reply = bulk.apply(r);
        } finally {
          inFlight.decrementAndGet();
        }
      } else if (r.isDocument() && !r.method().equals("GET")) {
        reply = document.apply(r);
      } else if (r.path().startsWith("/_index_template/")) {
        reply = template.apply(r);
      } else if (r.path().equals("/_cluster/health")) {
        reply = new Reply(200, HEALTH);
      } else {
        reply = Reply.error(405, "method_not_allowed");
      }
      byte[] out = reply.json().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      if (productHeader) {
        ex.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
      }
      ex.sendResponseHeaders(reply.status(), out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private static JsonNode readTree(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static final String HEALTH =
      "{\"cluster_name\":\"fake\",\"status\":\"green\",\"timed_out\":false,\"number_of_nodes\":1,"
          + "\"number_of_data_nodes\":1,\"active_primary_shards\":0,\"active_shards\":0,\"relocating_shards\":0,"
          + "\"initializing_shards\":0,\"unassigned_shards\":0,\"unassigned_primary_shards\":0,"
          + "\"delayed_unassigned_shards\":0,\"number_of_pending_tasks\":0,\"number_of_in_flight_fetch\":0,"
          + "\"task_max_waiting_in_queue_millis\":0,\"active_shards_percent_as_number\":100.0}";
}
