package io.pumpd.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pumpd.app.testing.DaemonEnv;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shutdown when a sink hangs: a csv pump whose output file is a FIFO nobody reads, so its write
 * blocks for ever (like a backend that stopped answering, with no pump timeout set).
 */
@DisplayName("daemon process: shutdown deadline and second signal with a hung sink")
class ShutdownDeadlineIT {
  private static RedisServerProcess redis;
  @TempDir Path work;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  private DaemonProcess startWithHungSink(int shutdownSeconds) throws Exception {
    Path csv = Files.createDirectories(work.resolve("csv"));
    // the fixture records are from 2026-11-20 (UTC): the csv pump opens this file and blocks
    Process mkfifo = new ProcessBuilder("mkfifo", csv.resolve("2026-November-20.csv").toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    try (RedisFeeder f = new RedisFeeder(redis.host(), redis.port())) {
      f.commands().flushall();
      f.push(RedisFeeder.BASE_KEY, Fixtures.raw(Fixtures.MODERN).subList(0, 5));
    }
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_DELIVERYGUARANTEE", "at_most_once"); // the purge loop's shutdown
    env.put("TYK_PMP_GRACEFULSHUTDOWNTIMEOUTDURATION", String.valueOf(shutdownSeconds));
    env.put("TYK_PMP_PUMPS_CSV_TYPE", "csv");
    env.put("TYK_PMP_PUMPS_CSV_META_CSVDIR", csv.toString());
    DaemonProcess d = DaemonProcess.start(List.of(), env, work);
    d.awaitLog(l -> l.contains("Starting purge loop"), Duration.ofSeconds(30));
    return d;
  }

  @Test
  void pastTheDeadlineTheDaemonNamesWhatItAbandonedAndExitsNonZero() throws Exception {
    try (DaemonProcess d = startWithHungSink(2)) {
      d.sigterm();
      long start = System.nanoTime();
      assertThat(d.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
      assertThat(d.logs()).anyMatch(l -> l.contains("Shutdown incomplete")
          && l.contains("the purge cycle in progress"));
    }
  }

  @Test
  void aSecondSignalExitsAtOnce() throws Exception {
    try (DaemonProcess d = startWithHungSink(60)) {
      d.sigterm();
      d.awaitLog(l -> l.contains("Shutdown began"), Duration.ofSeconds(10));
      d.signal("INT");
      long start = System.nanoTime();
      assertThat(d.awaitExit(Duration.ofSeconds(10))).isEqualTo(130);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(d.logs()).anyMatch(l -> l.contains("Second SIGINT received"));
    }
  }
}
