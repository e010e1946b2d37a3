package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pumpd.app.testing.DaemonProcess;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One 50 MB element among good records used to kill the delivery threads with an {@code
 * OutOfMemoryError} under {@code -Xmx256m} and the launcher's {@code -Xmx512m}, leaving a live,
 * "healthy" process that delivered nothing (issue #9). Now an element larger than {@code
 * max_element_bytes} (1/16 of the heap by default) is dead-lettered with its exact bytes, written
 * while they are encoded (not copied five times), and everything else is delivered.
 */
@DisplayName("hostile input: 50 MB elements")
class HugeElementHostileIT extends HostileSuite {
  private static final int MB = 1 << 20;

  /** Pushes good, huge, good, huge, good; returns the SHA-256 of the huge elements. */
  private List<String> pushGoodAndHuge() throws Exception {
    List<String> hashes = new ArrayList<>();
    feeder.push(KEY, HostileElements.good("a", 100));
    byte[] huge = HostileElements.hugeRawRequest("huge-raw-request", 50 * MB);
    hashes.add(sha256(huge));
    feeder.push(KEY, List.of(huge));
    feeder.push(KEY, HostileElements.good("b", 100));
    huge = HostileElements.hugeUnknownString("huge-unknown-key", 50 * MB);
    hashes.add(sha256(huge));
    feeder.push(KEY, List.of(huge));
    feeder.push(KEY, HostileElements.good("c", 100));
    return hashes;
  }

  private void assertDeadLetteredAndDelivered(DaemonProcess d, List<String> expected)
      throws Exception {
    d.awaitStdoutLines(300, Duration.ofSeconds(90));
    await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters("undecodable").size() == 2);
    List<String> kept = new ArrayList<>();
    for (JsonNode e : deadLetters("undecodable")) {
      assertThat(e.path("reason").asText()).contains("larger than max_element_bytes");
      kept.add(e.path("raw_sha256").asText());
    }
    assertThat(kept).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(printedKeys(d)).hasSize(300).doesNotHaveDuplicates()
        .noneMatch(k -> k.startsWith("huge"));
    // acknowledged only once dead-lettered and delivered; the daemon is alive and ready
    await().atMost(Duration.ofSeconds(30)).until(() -> pending("stdout") == 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> get("ready").status() == 200);
    assertThat(get("health").status()).isEqualTo(200);
    assertThat(d.isAlive()).isTrue();
    d.sigterm();
    assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
    assertThat(d.logs()).noneMatch(l -> l.contains("java.lang.OutOfMemoryError"));
  }

  @Test
  void underXmx256mHugeElementsAreDeadLetteredAndTheRestDelivered() throws Exception {
    List<String> huge = pushGoodAndHuge();
    try (DaemonProcess d = DaemonProcess.start(List.of(), stdoutEnv(), work)) {
      assertDeadLetteredAndDelivered(d, huge);
      assertThat(d.logs()).anyMatch(l -> l.contains("Elements up to 16777216 bytes are decoded"));
    }
  }

  @Test
  void withTheLaunchersDefaultsTheSameHolds() throws Exception {
    List<String> huge = pushGoodAndHuge();
    try (DaemonProcess d = DaemonProcess.startWithLauncher(List.of(), stdoutEnv(), work)) {
      assertDeadLetteredAndDelivered(d, huge);
      assertThat(d.logs()).noneMatch(l -> l.contains("without -XX:+ExitOnOutOfMemoryError"));
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
