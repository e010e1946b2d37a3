package io.pumpd.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.app.lifecycle.Readiness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final Readiness readiness = new Readiness();
  private final List<String> problems = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private HealthServer server;

  private HttpResponse<String> get(String path) throws Exception {
    if (server == null) {
      readiness.addCheck(() -> List.copyOf(problems));
      server = new HealthServer(0, "health", "ready", "metrics", readiness, () -> "up 1\n");
      server.start();
    }
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @AfterEach
  void stop() {
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
  }

  @Test
  void readinessIsFalseBeforeInitWhileAPumpOrRedisIsDownAndWhileDraining() throws Exception {
    assertThat(get("/ready").statusCode()).isEqualTo(503);
    assertThat(get("/ready").body()).contains("pumps not initialized yet");
    readiness.markInitialized();
    assertThat(get("/ready").statusCode()).isEqualTo(200);
    problems.add("redis unreachable");
    HttpResponse<String> down = get("/ready");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).contains("redis unreachable");
    problems.clear();
    readiness.markDraining();
    assertThat(get("/ready").statusCode()).isEqualTo(503);
    assertThat(get("/ready").body()).contains("shutting down");
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsAndUnknownPathsAndMethods() throws Exception {
    assertThat(get("/metrics").body()).isEqualTo("up 1\n");
    assertThat(get("/nope").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/health"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }
}
