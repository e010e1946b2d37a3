package io.pumpd.bench.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The cost of {@code at_least_once}: the same backlog drained through a {@code dummy} pump by the
 * packaged daemon in {@code at_most_once} and in {@code at_least_once} mode, alternately, in one
 * run on one machine. Run on demand (not part of the test suite; the class name does not match
 * surefire's patterns):
 *
 * <pre>
 * mvn -B -ntp -pl pump-app -am package -DskipTests
 * mvn -B -ntp -pl pump-bench -am test -Dtest=DeliveryModeBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.records=200000 -Dbench.rounds=3 -Dbench.warmup=20000]
 * </pre>
 *
 * Per round and mode: a fresh daemon ({@code java -Xmx256m -jar pumpd-all.jar}, one {@code dummy}
 * pump, {@code purge_delay} 1) drains warm-up records first; then {@code bench.records} of the
 * modern fixture's gateway bytes appear in {@code analytics-tyk-system-analytics} at once (pushed
 * to a staging list, then {@code RENAME}d). Measured from the rename until the daemon's {@code
 * pump_records_delivered_total} counts them all (polled every 20 ms): records per second, Redis CPU
 * ({@code INFO cpu}: {@code used_cpu_sys + used_cpu_user}) per record, daemon CPU per record.
 * Results go to {@code pump-bench/target/bench-delivery.md}.
 */
class DeliveryModeBenchmark {
  private static final String KEY = "analytics-tyk-system-analytics";
  private static final String STAGING = "bench-staging";
  private static final Pattern DELIVERED =
      Pattern.compile("^pump_records_delivered_total\\{[^}]*pump=\"dummy\"[^}]*} ([0-9.eE+]+)$",
          Pattern.MULTILINE);
  private static final List<String> MODES = List.of("at_most_once", "at_least_once");

  /** A record format: the gateway list it is pushed to and the fixture it comes from. */
  enum Format {
    MSGPACK(KEY, Fixtures.MODERN),
    PROTOBUF(KEY + "_protobuf", Fixtures.PROTOBUF);

    final String key;
    final String fixture;

    Format(String key, String fixture) {
      this.key = key;
      this.fixture = fixture;
    }

    /** The formats of {@code -Dbench.formats} (comma-separated; default msgpack). */
    static List<Format> chosen() {
      return java.util.Arrays.stream(System.getProperty("bench.formats", "msgpack").split(","))
          .map(f -> valueOf(f.trim().toUpperCase(Locale.ROOT))).toList();
    }
  }

  /** One measurement. */
  record Run(String mode, Format format, int round, int records, double seconds,
      double redisCpuSeconds, double daemonCpuSeconds, Map<String, Long> commandMicros) {
    double perSecond() {
      return records / seconds;
    }

    String label() {
      return mode + (format == Format.MSGPACK ? "" : " " + format.name().toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void atLeastOnceVersusAtMostOnceThroughADummySink() throws Exception {
    int n = Integer.getInteger("bench.records", 200_000);
    int rounds = Integer.getInteger("bench.rounds", 3);
    int warmup = Integer.getInteger("bench.warmup", 20_000);
    Path jar = Path.of(System.getProperty("pump.jar", "../pump-app/target/pumpd-all.jar"))
        .toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: mvn -pl pump-app -am package -DskipTests first");
    }
    List<Format> formats = Format.chosen();
    long bytes = replicate(Fixtures.raw(Fixtures.MODERN), n).stream().mapToLong(b -> b.length).sum();
    List<Run> runs = new ArrayList<>();
    try (RedisServerProcess redis = RedisServerProcess.start();
        Redis r = new Redis(redis.port())) {
      for (int round = 1; round <= rounds; round++) {
        for (String mode : MODES) {
          for (Format format : formats) {
            List<byte[]> raw = replicate(Fixtures.raw(format.fixture), n);
            List<byte[]> rawWarmup = replicate(Fixtures.raw(format.fixture), warmup);
            r.flushAll();
            try (Daemon d = Daemon.start(jar, redis.port(), mode)) {
              r.push(format.key, rawWarmup);
              d.awaitDelivered(warmup, Duration.ofMinutes(2));
              r.push(STAGING, raw);
              r.resetStats();
              double redisCpu = r.cpuSeconds();
              Duration daemonCpu = d.cpu();
              long start = System.nanoTime();
              r.rename(STAGING, format.key);
              d.awaitDelivered(warmup + n, Duration.ofMinutes(10));
              double seconds = (System.nanoTime() - start) / 1e9;
              runs.add(new Run(mode, format, round, n, seconds, r.cpuSeconds() - redisCpu,
                  d.cpu().minus(daemonCpu).toNanos() / 1e9, r.commandMicros()));
              assertThat(d.stop()).as("exit status; log:\n" + d.log()).isZero();
            }
          }
        }
      }
    }
    String report = report(runs, n, bytes);
    Path out = Path.of("target", "bench-delivery.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  private static String report(List<Run> runs, int n, long bytes) {
    StringBuilder b = new StringBuilder();
    b.append("Delivery mode benchmark, ").append(Instant.now()).append(": ").append(n)
        .append(" records (").append(bytes / n).append(" B average, modern fixture) through a dummy"
            + " pump, ").append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n")
        .append("| round | mode | records/s | seconds | Redis CPU µs/record | daemon CPU µs/record |\n")
        .append("|---|---|---|---|---|---|\n");
    for (Run r : runs) {
      b.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.2f | %.2f | %.2f |%n", r.round(),
          r.label(), r.perSecond(), r.seconds(), 1e6 * r.redisCpuSeconds() / r.records(),
          1e6 * r.daemonCpuSeconds() / r.records()));
    }
    Map<String, double[]> mean = new LinkedHashMap<>();
    List<String> labels = runs.stream().map(Run::label).distinct().toList();
    for (String label : labels) {
      List<Run> of = runs.stream().filter(r -> r.label().equals(label)).toList();
      mean.put(label, new double[] {
          of.stream().mapToDouble(Run::perSecond).average().orElse(0),
          of.stream().mapToDouble(r -> 1e6 * r.redisCpuSeconds() / r.records()).average().orElse(0),
          of.stream().mapToDouble(r -> 1e6 * r.daemonCpuSeconds() / r.records()).average().orElse(0)});
    }
    b.append("\nRedis time per record by command (µs, `INFO commandstats`, last round):\n\n");
    for (String label : labels) {
      Run last = runs.stream().filter(r -> r.label().equals(label)).reduce((x, y) -> y).orElseThrow();
      b.append("- ").append(label).append(": ");
      List<String> parts = new ArrayList<>();
      last.commandMicros().entrySet().stream()
          .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
          .filter(e -> e.getValue() > 0)
          .forEach(e -> parts.add(String.format(Locale.ROOT, "%s %.2f", e.getKey(),
              (double) e.getValue() / last.records())));
      b.append(String.join(", ", parts)).append('\n');
    }
    b.append('\n');
    mean.forEach((label, m) -> b.append(String.format(Locale.ROOT, "mean: %s %.0f records/s "
        + "(Redis %.2f µs, daemon %.2f µs per record)%n", label, m[0], m[1], m[2])));
    double[] amo = mean.get("at_most_once");
    double[] alo = mean.get("at_least_once");
    if (amo != null && alo != null) {
      b.append(String.format(Locale.ROOT, "at_least_once runs at %.1f %% of at_most_once's rate%n",
          100 * alo[0] / amo[0]));
    }
    for (String mode : MODES) {
      double[] proto = mean.get(mode + " protobuf");
      double[] msg = mean.get(mode);
      if (proto != null && msg != null) {
        b.append(String.format(Locale.ROOT, "%s: protobuf records drain at %.1f %% of the msgpack"
            + " rate%n", mode, 100 * proto[0] / msg[0]));
      }
    }
    return b.toString();
  }

  private static <T> List<T> replicate(List<T> base, int n) {
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(base.get(i % base.size()));
    }
    return out;
  }

  /** The bench's own Redis connection: push, rename, flush, CPU counters. */
  private static final class Redis implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;

    Redis(int port) {
      client = RedisClient.create(RedisURI.create("127.0.0.1", port));
      connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    }

    void push(String key, List<byte[]> raw) {
      for (int i = 0; i < raw.size(); i += 1000) {
        connection.sync().rpush(key, raw.subList(i, Math.min(raw.size(), i + 1000)).toArray(new byte[0][]));
      }
    }

    void rename(String from, String to) {
      connection.sync().rename(from, to);
    }

    void resetStats() {
      connection.sync().configResetstat();
    }

    /** Microseconds spent per command since the last reset ({@code INFO commandstats}). */
    Map<String, Long> commandMicros() {
      Map<String, Long> out = new LinkedHashMap<>();
      for (String line : connection.sync().info("commandstats").lines().toList()) {
        if (line.startsWith("cmdstat_")) {
          String name = line.substring(8, line.indexOf(':'));
          Matcher m = Pattern.compile("usec=(\\d+)").matcher(line);
          if (m.find()) {
            out.put(name, Long.parseLong(m.group(1)));
          }
        }
      }
      out.remove("info");
      out.remove("config|resetstat");
      return out;
    }

    void flushAll() {
      connection.sync().flushall();
    }

    /** {@code used_cpu_sys + used_cpu_user} of the server, in seconds. */
    double cpuSeconds() {
      double total = 0;
      for (String line : connection.sync().info("cpu").lines().toList()) {
        if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
          total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return total;
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }

  /** The packaged daemon with one dummy pump, in one delivery mode. */
  private static final class Daemon implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int httpPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private Daemon(Process process, Path log, int httpPort) {
      this.process = process;
      this.log = log;
      this.httpPort = httpPort;
    }

    static Daemon start(Path jar, int redisPort, String mode) throws IOException {
      Path dir = Files.createTempDirectory("pumpd-delivery-bench-");
      int port = freePort();
      Path conf = dir.resolve("pump.conf");
      Files.writeString(conf, "{\"analytics_storage_config\":{\"host\":\"127.0.0.1\",\"port\":"
          + redisPort + "},\"purge_delay\":1,\"dont_purge_uptime_data\":true,"
          + "\"health_check_endpoint_port\":" + port + ",\"delivery_guarantee\":\"" + mode + "\","
          + "\"delivery\":{\"consumer_name\":\"bench\"},"
          + "\"dead_letter_dir\":\"" + dir.resolve("dead-letter") + "\","
          + "\"pumps\":{\"dummy\":{\"type\":\"dummy\"}}}");
      List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-jar", jar.toString(), "--conf", conf.toString());
      Path log = dir.resolve("daemon.log");
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      return new Daemon(p, log, port);
    }

    /** Waits until the dummy pump counted {@code n} delivered records. */
    void awaitDelivered(long n, Duration timeout) throws IOException, InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < end) {
        if (!process.isAlive()) {
          throw new IllegalStateException("daemon exited; log:\n" + log());
        }
        if (delivered() >= n) {
          return;
        }
        LockSupport.parkNanos(20_000_000L); // polling period of the measurement
      }
      throw new IllegalStateException("not delivered in time; log:\n" + log());
    }

    private double delivered() throws InterruptedException {
      try {
        String body = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = DELIVERED.matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
      } catch (IOException e) {
        return 0; // not listening yet
      }
    }

    Duration cpu() {
      return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    String log() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }

    int stop() throws IOException, InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("daemon still running a minute after SIGTERM");
      }
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }

    private static int freePort() throws IOException {
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      }
    }
  }
}
