package io.pumpd.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property 3 (memory) of issue #5: a daemon started with {@code -Xmx256m} drains a large backlog
 * (100 000 records reduced, a million full) without its live heap growing with the backlog: the
 * consumers read only while their in-flight bytes are under {@code max_in_flight_bytes}.
 */
@DisplayName("chaos: drain a large backlog under -Xmx256m")
class DrainChaosIT {
  private static final String NAME = "solo";
  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  @TempDir Path work;

  @Test
  void theLiveHeapStaysFlatWhileABacklogDrains() throws Exception {
    ChaosSize size = ChaosSize.current();
    int n = size.drainRecords();
    try (RedisServerProcess redis = RedisServerProcess.start();
        ChaosDaemons daemons = new ChaosDaemons("Drain", redis.port(), work).csvPump("csv")
            .dummyPump("dummy")
            .set("TYK_PMP_DELIVERY_ENTRYRECORDS", "1000") // the defaults
            .set("TYK_PMP_DELIVERY_MAXINFLIGHTBYTES", String.valueOf(8 << 20));
        Gateway gateway = new Gateway(redis.port(), n, Integer.MAX_VALUE, Duration.ZERO)) {
      gateway.preload();
      SinkLedger csv = SinkLedger.csv("csv").watch(daemons.csvFile("csv", NAME));
      long start = System.nanoTime();
      DaemonProcess d = daemons.start(NAME);
      List<Long> liveHeapKb = new ArrayList<>();
      await().atMost(Duration.ofMinutes(size.drainRecords() > 200_000 ? 30 : 5))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> {
            liveHeapKb.add(liveHeapKb(d.pid()));
            return csv.refresh().distinct(n) == n;
          });
      double seconds = (System.nanoTime() - start) / 1e9;
      await().atMost(Duration.ofSeconds(30)).until(
          () -> daemons.metric(d, "pump_records_delivered_total", "pump=\"dummy\"") >= n);
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(25))).isZero();

      long max = liveHeapKb.stream().mapToLong(Long::longValue).max().orElse(0);
      ChaosReport.sink("drain " + n + " records under -Xmx256m", size, csv, n, String.format(
          "%.0f records/s, live heap after full GC sampled %d times: max %d MiB, samples %s",
          n / seconds, liveHeapKb.size(), max / 1024,
          liveHeapKb.stream().map(k -> Long.toString(k / 1024)).toList()));
      assertThat(csv.missing(n).cardinality()).isZero();
      assertThat(d.logs()).noneMatch(l -> l.contains("java.lang.OutOfMemoryError"));
      // a backlog held in memory would be hundreds of MiB (1 KiB per record raw, more decoded).
      // What the bound allows: 2 pumps x 8 MiB of decoded records in flight, plus a slice and a
      // part each, over a baseline of about 25 MiB; measured 38-81 MiB when the budget counted
      // raw bytes (3x as much decoded), and 99 MiB once with the machine's two cores busy
      // with another build (sinks slower, in-flight budgets full more often)
      assertThat(max).isLessThan(128 * 1024);
    }
  }

  /** The daemon's heap in use right after a full GC ({@code jcmd GC.run}, {@code GC.heap_info}). */
  private static long liveHeapKb(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    long kb = 0;
    for (String line : info.lines().toList()) {
      if ((line.contains("heap") || line.contains("generation")) && line.contains("total")) {
        Matcher m = USED.matcher(line);
        if (m.find()) {
          kb += Long.parseLong(m.group(1));
        }
      }
    }
    return kb;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }
}
