package io.pumpd.app.chaos;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.testing.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the packaged daemon ({@link DaemonProcess}: {@code java -Xmx256m -jar pumpd-all.jar},
 * configured by {@code TYK_PMP_*} variables only) in {@code at_least_once} mode against the chaos
 * Redis, with a set of sinks, and keeps every process it started so that their outputs can be
 * read after they died.
 */
final class ChaosDaemons implements AutoCloseable {
  /** The records' UTC day: the csv pump writes them to this file. */
  static final String CSV_FILE = "2026-November-20.csv";

  private final String test;
  private final int redisPort;
  private final Path work;
  private final Map<String, String> common = new LinkedHashMap<>();
  private final List<DaemonProcess> started = new ArrayList<>();
  private final Map<DaemonProcess, Integer> httpPorts = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();

  ChaosDaemons(String test, int redisPort, Path work) {
    this.test = test;
    this.redisPort = redisPort;
    this.work = work;
    common.put("TYK_PMP_OMITCONFIGFILE", "true");
    common.put("TYK_PMP_PURGEDELAY", "1");
    common.put("TYK_PMP_ANALYTICSSTORAGECONFIG_HOST", "127.0.0.1");
    common.put("TYK_PMP_ANALYTICSSTORAGECONFIG_PORT", String.valueOf(redisPort));
    common.put("TYK_PMP_ANALYTICSSTORAGECONFIG_TIMEOUT", "2");
    common.put("TYK_PMP_DONTPURGEUPTIMEDATA", "true");
    common.put("TYK_PMP_DELIVERYGUARANTEE", "at_least_once");
    common.put("TYK_PMP_DELIVERY_LEASESECONDS", "5");
    common.put("TYK_PMP_DELIVERY_ENTRYRECORDS", "200");
    // decoded heap (about 3x a record's size in Redis): ~1100 chaos records per pump, enough for
    // the Elasticsearch sink to fill a bulk of 1000 rather than wait for its 1 s flush interval
    common.put("TYK_PMP_DELIVERY_MAXINFLIGHTBYTES", String.valueOf(3 << 20));
    common.put("TYK_PMP_DELIVERY_POLLINTERVALMS", "200");
    common.put("TYK_PMP_GRACEFULSHUTDOWNTIMEOUTDURATION", "15");
  }

  /** Sets a variable for every daemon started from now on. */
  ChaosDaemons set(String name, String value) {
    common.put(name, value);
    return this;
  }

  /** Adds a stdout pump (json lines) named {@code name}. */
  ChaosDaemons stdoutPump(String name) {
    String p = "TYK_PMP_PUMPS_" + name.toUpperCase() + "_";
    common.put(p + "TYPE", "stdout");
    common.put(p + "META_FORMAT", "json");
    return this;
  }

  /** Adds a csv pump named {@code name}, writing to {@code <work>/<name>-<consumer>}. */
  ChaosDaemons csvPump(String name) {
    String p = "TYK_PMP_PUMPS_" + name.toUpperCase() + "_";
    common.put(p + "TYPE", "csv");
    common.put(p + "TIMEOUT", "2");
    return this;
  }

  /**
   * Adds an {@code elasticsearch} pump named {@code name} writing to {@code index} with {@code
   * generate_id} (replays overwrite instead of duplicating).
   */
  ChaosDaemons esPump(String name, String url, String index) {
    String p = "TYK_PMP_PUMPS_" + name.toUpperCase() + "_";
    common.put(p + "TYPE", "elasticsearch");
    common.put(p + "TIMEOUT", "10");
    common.put(p + "META_ELASTICSEARCHURL", url);
    common.put(p + "META_INDEXNAME", index);
    common.put(p + "META_VERSION", "8");
    common.put(p + "META_GENERATEID", "true");
    common.put(p + "META_BULKCONFIG_FLUSHINTERVAL", "1");
    return this;
  }

  /** Adds an {@code influx2} pump named {@code name}, tagging points with {@code api_key}. */
  ChaosDaemons influxPump(String name, String url, String token, String org, String bucket) {
    String p = "TYK_PMP_PUMPS_" + name.toUpperCase() + "_";
    common.put(p + "TYPE", "influx2");
    common.put(p + "TIMEOUT", "5");
    common.put(p + "META_ADDR", url);
    common.put(p + "META_TOKEN", token);
    common.put(p + "META_ORGNAME", org);
    common.put(p + "META_BUCKETNAME", bucket);
    common.put(p + "META_TAGS", "api_key");
    return this;
  }

  /** Adds a {@code dogstatsd} pump named {@code name} sending to {@code address} (UDP). */
  ChaosDaemons dogstatsdPump(String name, String address) {
    String p = "TYK_PMP_PUMPS_" + name.toUpperCase() + "_";
    common.put(p + "TYPE", "dogstatsd");
    common.put(p + "TIMEOUT", "5");
    common.put(p + "META_ADDRESS", address);
    common.put(p + "META_TAGS", "path");
    // many samples per datagram: one per datagram caps the sink at ~1000 records/s here
    common.put(p + "META_BUFFERED", "true");
    common.put(p + "META_BUFFEREDMAXMESSAGES", "64");
    return this;
  }

  /** Adds a dummy pump named {@code name}. */
  ChaosDaemons dummyPump(String name) {
    common.put("TYK_PMP_PUMPS_" + name.toUpperCase() + "_TYPE", "dummy");
    return this;
  }

  /**
   * The csv file pump {@code pump} of the daemon named {@code consumer} writes to. Its {@code
   * csv_dir} is a symbolic link to the file's directory, so that the sink can be taken down and
   * brought back ({@link #csvDown}) without touching the file.
   */
  Path csvFile(String pump, String consumer) {
    return work.resolve(pump + "-" + consumer + "-data").resolve(CSV_FILE);
  }

  private Path csvLink(String pump, String consumer) {
    return work.resolve(pump + "-" + consumer);
  }

  /**
   * Takes a csv sink down (its {@code csv_dir} link then points to a directory where the csv
   * file's name is a directory: every append fails with an I/O error, which the csv pump reports
   * as retriable, like a backend refusing connections) or brings it back.
   */
  void csvDown(String pump, String consumer, boolean down) {
    try {
      Path outage = work.resolve("outage");
      Files.createDirectories(outage.resolve(CSV_FILE));
      Path target = down ? outage : csvFile(pump, consumer).getParent();
      Path link = csvLink(pump, consumer);
      Path tmp = work.resolve(link.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createSymbolicLink(tmp, target);
      Files.move(tmp, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a daemon with consumer name {@code consumer} and waits until it runs.
   */
  DaemonProcess start(String consumer) {
    try {
      Map<String, String> env = new LinkedHashMap<>(common);
      env.put("TYK_PMP_DELIVERY_CONSUMERNAME", consumer);
      int port = RedisServerProcess.freePort();
      env.put("TYK_PMP_HEALTHCHECKENDPOINTPORT", String.valueOf(port));
      env.put("TYK_PMP_DEADLETTERDIR", work.resolve("dead-" + consumer).toString());
      for (Map.Entry<String, String> e : common.entrySet()) {
        if (e.getKey().endsWith("_TYPE") && e.getValue().equals("csv")) {
          String pump = e.getKey().substring("TYK_PMP_PUMPS_".length(),
              e.getKey().length() - "_TYPE".length()).toLowerCase();
          Files.createDirectories(csvFile(pump, consumer).getParent());
          if (!Files.isSymbolicLink(csvLink(pump, consumer))) {
            csvDown(pump, consumer, false);
          }
          env.put("TYK_PMP_PUMPS_" + pump.toUpperCase() + "_META_CSVDIR",
              csvLink(pump, consumer).toString());
        }
      }
      DaemonProcess d = DaemonProcess.start(List.of(), env, work);
      started.add(d);
      httpPorts.put(d, port);
      d.awaitLog(l -> l.contains("Starting delivery engine"), Duration.ofSeconds(60));
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every process started so far, dead or alive. */
  List<DaemonProcess> started() {
    return List.copyOf(started);
  }

  /** GET {@code path} on the daemon's HTTP port. */
  String get(DaemonProcess d, String path) {
    try {
      return http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + httpPorts.get(d) + path)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A counter or gauge value from the daemon's Prometheus text, summed over matching series. */
  double metric(DaemonProcess d, String name, String labelFilter) {
    double sum = 0;
    Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$",
        Pattern.MULTILINE).matcher(get(d, "/metrics"));
    while (m.find()) {
      if (labelFilter == null || (m.group(1) != null && m.group(1).contains(labelFilter))) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  int redisPort() {
    return redisPort;
  }

  /**
   * Kills what still runs and keeps every daemon's log in {@code target/chaos-logs/<test>/}, for
   * looking into a failure.
   */
  @Override
  public void close() {
    started.forEach(DaemonProcess::close);
    Path dir = Path.of("target", "chaos-logs", test);
    try {
      Files.createDirectories(dir);
      int i = 0;
      for (DaemonProcess d : started) {
        Files.write(dir.resolve(String.format("%02d-%d.log", i++, d.pid())), d.logs());
      }
    } catch (IOException | RuntimeException e) {
      System.out.println("(could not keep the daemon logs: " + e + ")");
    }
  }
}
