package io.pumpd.bench.elasticsearch;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged daemon ({@code pumpd-all.jar}) run as a process with one {@code elasticsearch} pump
 * reading a given Redis and writing one index. Extra JVM options come from {@code
 * bench.daemonJvmArgs} (e.g. a flight recording).
 */
final class BenchDaemon implements AutoCloseable {
  private final Process process;
  private final Path log;

  private BenchDaemon(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static BenchDaemon start(Path jar, int redisPort, String esUrl, String index, BenchSettings s) throws IOException {
    Path dir = Files.createTempDirectory("pumpd-bench-");
    Path conf = dir.resolve("pump.conf");
    Files.writeString(conf, "{\"analytics_storage_type\":\"redis\","
        + "\"analytics_storage_config\":{\"type\":\"redis\",\"host\":\"127.0.0.1\",\"port\":" + redisPort + "},"
        + "\"purge_delay\":1,\"dont_purge_uptime_data\":true,\"health_check_endpoint_port\":" + freePort() + ","
        + "\"dead_letter_dir\":\"" + dir.resolve("dead-letter") + "\","
        + "\"pumps\":{\"elasticsearch\":{\"type\":\"elasticsearch\",\"meta\":{"
        + "\"elasticsearch_url\":\"" + esUrl + "\",\"index_name\":\"" + index + "\",\"version\":\"8\","
        + "\"bulk_config\":" + s.bulkConfigJson() + "}}}}");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
    String extra = System.getProperty("bench.daemonJvmArgs", "");
    if (!extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    cmd.addAll(List.of("-jar", jar.toString(), "--conf", conf.toString()));
    Path log = dir.resolve("daemon.log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new BenchDaemon(p, log);
  }

  /** CPU time the daemon process has used so far. */
  Duration cpu() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /**
   * CPU ticks per thread name (digits folded), from {@code /proc/<pid>/task/*}: which threads of the
   * daemon (purge loop, pump, HTTP client, GC, JIT) use the CPU. Empty where /proc is missing.
   */
  java.util.Map<String, Long> threadTicks() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    try (var dirs = Files.list(tasks)) {
      for (Path t : dirs.toList()) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "#");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          out.merge(comm, ticks, Long::sum);
        } catch (IOException | RuntimeException gone) {
          // thread ended
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** SIGTERM, and the exit status (fails after a minute). */
  int stop() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("daemon still running a minute after SIGTERM; log:\n" + log());
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
