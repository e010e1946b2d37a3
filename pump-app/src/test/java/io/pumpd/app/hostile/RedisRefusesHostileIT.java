package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Redis at {@code maxmemory} with {@code noeviction} answers every write with {@code OOM}: it used
 * to leave {@code /ready} at 200 with a backlog of 0 while nothing moved, and "could not create
 * consumer group" was logged about 17 times a second (issue #9). Now readiness names the refusal,
 * the log says it once per activity, and everything is delivered once Redis has room again.
 */
@DisplayName("hostile ops: Redis refusing writes (maxmemory)")
class RedisRefusesHostileIT extends HostileSuite {

  /**
   * Scripts ({@code EVALSHA}) that failed since start ({@code INFO commandstats}): a script's
   * write refused for {@code OOM} fails the script.
   */
  private long refusedScripts() {
    long n = 0;
    for (String line : feeder.commands().info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:")) {
        for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
          if (field.startsWith("rejected_calls=") || field.startsWith("failed_calls=")) {
            n += Long.parseLong(field.substring(field.indexOf('=') + 1).trim());
          }
        }
      }
    }
    return n;
  }

  @Test
  void refusalsAreAReadinessReasonLoggedOnceAndRecoveredFrom() throws Exception {
    feeder.push(KEY, HostileElements.good("r", 1000));
    Map<String, String> env = stdoutEnv();
    feeder.commands().configSet("maxmemory-policy", "noeviction");
    feeder.commands().configSet("maxmemory", "1"); // every write that may grow memory: OOM
    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> get("ready").body()
          .contains("redis refuses to move records from the gateway lists"));
      assertThat(get("ready").status()).isEqualTo(503);
      assertThat(get("ready").body()).contains("OOM");
      long refusalLines = d.logs().stream().filter(l -> l.contains("Redis refuses to")).count();
      // the daemon keeps trying (Redis counts the refused scripts): the log does not grow with it
      long refused = refusedScripts();
      await().atMost(Duration.ofSeconds(30)).until(() -> refusedScripts() >= refused + 50);
      assertThat(d.logs().stream().filter(l -> l.contains("Redis refuses to")).count())
          .isEqualTo(refusalLines).isLessThanOrEqualTo(4);
      assertThat(d.logs()).noneMatch(l -> l.contains("Redis unreachable"))
          .noneMatch(l -> l.contains("Could not create consumer group"));
      assertThat(d.stdout()).isEmpty();

      feeder.commands().configSet("maxmemory", "0"); // room again
      d.awaitStdoutLines(1000, Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(30)).until(() -> get("ready").status() == 200);
      assertThat(d.logs()).anyMatch(l -> l.contains("Redis accepts to move records from the "
          + "gateway lists again"));
      assertThat(printedKeys(d)).hasSize(1000).doesNotHaveDuplicates();
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
    } finally {
      feeder.commands().configSet("maxmemory", "0");
    }
  }
}
