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
 * An {@code OutOfMemoryError} used to end the delivery threads silently: {@code /health} and
 * {@code /ready} stayed 200 and SIGTERM still exited 0 (issue #9). Here the heap is made too small
 * on purpose for the element limit the operator configured, so that fetching one 40 MB element
 * runs out of memory: the process must end with status 3 (for its supervisor to restart it), both
 * when started by {@code java -jar} (the daemon's own check) and through {@code bin/pump} (which
 * adds {@code -XX:+ExitOnOutOfMemoryError}), and the element must still be in Redis. Restarted
 * with a heap that fits, the daemon dead-letters it: nothing is lost.
 */
@DisplayName("hostile input: out of memory")
class FatalErrorHostileIT extends HostileSuite {
  private static final int MB = 1 << 20;

  private Map<String, String> tooLargeLimitEnv() {
    Map<String, String> env = stdoutEnv();
    env.put("TYK_PMP_MAXELEMENTBYTES", String.valueOf(200 * MB)); // more than a 64 MB heap holds
    return env;
  }

  private void assertDiedAndKeptTheElement(DaemonProcess d) throws Exception {
    assertThat(d.awaitExit(Duration.ofSeconds(60))).isEqualTo(3);
    assertThat(d.logs()).anyMatch(l -> l.contains("java.lang.OutOfMemoryError"));
    // the element is still in Redis: in its batch, referred to by an entry pending for stdout
    assertThat(pending("stdout")).isEqualTo(1);
    assertThat(feeder.commands().keys("{" + KEY + "}:pumpd:b:*")).hasSize(1);
  }

  private void restartAndDeadLetter() throws Exception {
    try (DaemonProcess d = DaemonProcess.start(List.of(), stdoutEnv(), work)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters("undecodable").size() == 1);
      d.awaitStdoutLines(20, Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(30)).until(() -> pending("stdout") == 0);
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
    }
  }

  private void pushOneHugeAmongGood() {
    feeder.push(KEY, HostileElements.good("a", 10));
    feeder.push(KEY, List.of(HostileElements.hugeRawRequest("huge", 40 * MB)));
    feeder.push(KEY, HostileElements.good("b", 10));
  }

  @Test
  void startedWithJavaJarTheDaemonsOwnCheckEndsTheProcess() throws Exception {
    pushOneHugeAmongGood();
    try (DaemonProcess d = DaemonProcess.start(List.of("-Xmx64m"), List.of(), tooLargeLimitEnv(),
        work)) {
      assertDiedAndKeptTheElement(d);
      assertThat(d.logs()).anyMatch(l -> l.contains("Fatal error in deliver")
          && l.contains("exiting with status 3"));
    }
    restartAndDeadLetter();
  }

  @Test
  void startedByTheLauncherTheJvmEndsTheProcess() throws Exception {
    pushOneHugeAmongGood();
    Map<String, String> env = tooLargeLimitEnv();
    env.put("PUMP_JAVA_OPTS", "-Xmx64m");
    try (DaemonProcess d = DaemonProcess.startWithLauncher(List.of(), env, work)) {
      assertDiedAndKeptTheElement(d);
    }
    restartAndDeadLetter();
  }
}
