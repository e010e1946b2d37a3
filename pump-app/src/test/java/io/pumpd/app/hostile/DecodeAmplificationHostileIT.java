package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pumpd.app.testing.DaemonProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Small values decode to many times their wire size (a one-character string: 2 bytes in msgpack,
 * about 50 on the heap). Eight 2 MB records of one-character tags used to turn the daemon into a
 * zombie under {@code -Xmx256m} (issue #9): the in-flight bound counted wire bytes. Now an element
 * that would decode to more than twice {@code max_element_bytes} is dead-lettered while it is
 * decoded, and what a pump holds is counted as it decodes, so many amplified records that are each
 * within the limit are delivered a slice at a time.
 */
@DisplayName("hostile input: decode amplification")
class DecodeAmplificationHostileIT extends HostileSuite {

  @Test
  void recordsThatDecodeToTooMuchAreDeadLetteredWhileDecodingAndTheRestDelivered() throws Exception {
    feeder.push(KEY, HostileElements.good("a", 500));
    List<byte[]> bombs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      bombs.add(HostileElements.oneCharTags("bomb-" + i, 1 << 20)); // 2 MB, ~56 MB decoded
    }
    feeder.push(KEY, bombs);
    feeder.push(KEY, HostileElements.good("b", 500));
    try (DaemonProcess d = DaemonProcess.start(List.of(), stdoutEnv(), work)) {
      d.awaitStdoutLines(1000, Duration.ofSeconds(90));
      await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters("undecodable").size() == 8);
      for (JsonNode e : deadLetters("undecodable")) {
        assertThat(e.path("reason").asText()).contains("decodes to more than");
      }
      assertThat(printedKeys(d)).hasSize(1000).doesNotHaveDuplicates()
          .noneMatch(k -> k.startsWith("bomb"));
      await().atMost(Duration.ofSeconds(30)).until(() -> get("ready").status() == 200);
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
    }
  }

  @Test
  void manyAmplifiedRecordsWithinTheLimitAreDeliveredWithinTheHeap() throws Exception {
    // 60 records of 100 000 one-character tags: 200 KB each on the wire, ~5.6 MB each decoded,
    // ~340 MB if one part of them were decoded at once: more than the daemon's whole heap
    List<byte[]> amplified = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      amplified.add(HostileElements.oneCharTags("tags-" + i, 100_000));
    }
    feeder.push(KEY, HostileElements.good("a", 200));
    feeder.push(KEY, amplified);
    feeder.push(KEY, HostileElements.good("b", 200));
    try (DaemonProcess d = DaemonProcess.start(List.of(), stdoutEnv(), work)) {
      d.awaitStdoutLines(460, Duration.ofSeconds(120));
      assertThat(printedKeys(d)).hasSize(460).doesNotHaveDuplicates();
      assertThat(deadLetters("undecodable")).isEmpty();
      assertThat(get("health").status()).isEqualTo(200);
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
      assertThat(d.logs()).noneMatch(l -> l.contains("java.lang.OutOfMemoryError"));
    }
  }
}
