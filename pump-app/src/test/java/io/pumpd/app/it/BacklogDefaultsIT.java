package io.pumpd.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonEnv;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defaults at a realistic size: a million real gateway records (about 1.5 GB in Redis, more
 * than the default byte bound of 1 GiB) waiting when the daemon starts with every setting at its
 * default, a healthy sink and {@code -Xmx256m}. A backlog bound protects Redis from a pump that is
 * down, not from one catching up: every record must be delivered and none dropped (it used to drop
 * the oldest 350 000 or so at the first maintenance pass).
 */
@DisplayName("defaults: a million-record backlog, a healthy sink")
class BacklogDefaultsIT {
  private static final int RECORDS = 1_000_000;
  private static final Pattern SAMPLE = Pattern.compile("(?m)^%s(?:\\{[^}]*\\})? ([0-9.eE+]+)$");
  @TempDir Path work;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyRecordIsDeliveredAndNoneDropped() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        RedisFeeder feeder = new RedisFeeder(redis.host(), redis.port())) {
      List<byte[]> fixture = Fixtures.raw(Fixtures.MODERN);
      List<byte[]> chunk = new ArrayList<>(1000);
      for (int i = 0; i < RECORDS; i++) {
        chunk.add(fixture.get(i % fixture.size()));
        if (chunk.size() == 1000) {
          feeder.push(RedisFeeder.BASE_KEY, chunk);
          chunk.clear();
        }
      }
      assertThat(feeder.backlog()).isEqualTo(RECORDS);
      Map<String, String> env = DaemonEnv.base(redis, work);
      env.put("TYK_PMP_PUMPS_DUMMY_TYPE", "dummy");
      int port = Integer.parseInt(env.get("TYK_PMP_HEALTHCHECKENDPOINTPORT"));
      try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
            .failFast("daemon exited", () -> !d.isAlive())
            .until(() -> metric(port, "pump_records_delivered_total") >= RECORDS);
        assertThat(metric(port, "pump_records_delivered_total")).isEqualTo(RECORDS);
        assertThat(metric(port, "pump_records_dropped_total")).isZero();
        assertThat(d.logs()).noneMatch(l -> l.contains("fell behind"));
        d.sigterm();
        assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
      }
      assertThat(feeder.backlog()).isZero();
    }
  }

  /**
   * The sum of a counter's samples on the daemon's {@code /metrics} (0 when absent, -1 while the
   * daemon does not answer yet).
   */
  private double metric(int port, String name) throws Exception {
    HttpResponse<String> r;
    try {
      r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException starting) {
      return -1;
    }
    Matcher m = Pattern.compile(String.format(SAMPLE.pattern(), Pattern.quote(name)))
        .matcher(r.body());
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }
}
