package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.core.deadletter.FileDeadLetterQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Dead letters used to be fire-and-forget: with {@code dead_letter_dir} on a full disk 466 of 500
 * undecodable elements were lost, read-only 500 of 500, their Redis entries acknowledged and the
 * log still saying "dead-lettered" (issue #9). Now an entry is acknowledged only once its dead
 * letters are on disk; meanwhile it stays in Redis, readiness says why and the log says it loudly;
 * once the disk takes them again, every one of them is kept and the good records of those entries
 * were delivered exactly once.
 */
@DisplayName("hostile input: dead-letter store full or read-only")
class DeadLetterDiskHostileIT extends HostileSuite {
  private static final int GARBAGE = 500;

  private void pushGoodAndGarbage() {
    feeder.push(KEY, HostileElements.good("a", 250));
    feeder.push(KEY, HostileElements.garbage("garbage", GARBAGE));
    feeder.push(KEY, HostileElements.good("b", 250));
  }

  /** While the store fails: delivered, not acknowledged, not ready, loud; then everything kept. */
  private void assertKeptInRedisUntilTheStoreWorks(DaemonProcess d, Runnable fixTheStore)
      throws Exception {
    d.awaitStdoutLines(500, Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(30)).until(() -> get("ready").body().contains("dead-letter"));
    assertThat(get("ready").status()).isEqualTo(503);
    assertThat(pending("stdout")).isPositive();
    assertThat(deadLetters("undecodable")).isEmpty();
    assertThat(d.logs()).anyMatch(l -> l.contains("ERROR") && l.contains("Dead-letter store failing"))
        .anyMatch(l -> l.contains("could NOT be dead-lettered"))
        .noneMatch(l -> l.contains("is not a record") && l.contains(", dead-lettered:"));

    fixTheStore.run();
    await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters("undecodable").size() >= GARBAGE);
    await().atMost(Duration.ofSeconds(30)).until(() -> pending("stdout") == 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> get("ready").status() == 200);
    assertThat(deadLetters("undecodable")).hasSize(GARBAGE)
        .extracting(e -> new String(java.util.Base64.getDecoder().decode(e.path("raw_base64").asText())))
        .doesNotHaveDuplicates().allMatch(s -> s.endsWith(" is not a record"));
    assertThat(printedKeys(d)).hasSize(500).doesNotHaveDuplicates();
    d.sigterm();
    assertThat(d.awaitExit(Duration.ofSeconds(40))).isZero();
  }

  @Test
  void aFullDiskKeepsTheEntriesInRedisUntilTheDeadLettersAreWritten() throws Exception {
    Files.createDirectories(deadLetterDir());
    List<Path> full = List.of(0, 1).stream()
        .map(days -> deadLetterDir().resolve(FileDeadLetterQueue.fileName(
            LocalDate.now(ZoneOffset.UTC).plusDays(days))))
        .toList();
    for (Path p : full) {
      Files.createSymbolicLink(p, Path.of("/dev/full")); // every write: No space left on device
    }
    pushGoodAndGarbage();
    try (DaemonProcess d = DaemonProcess.start(List.of(), stdoutEnv(), work)) {
      assertKeptInRedisUntilTheStoreWorks(d, () -> full.forEach(p -> p.toFile().delete()));
      assertThat(d.logs()).anyMatch(l -> l.contains("No space left on device"));
    }
  }

  @Test
  void aReadOnlyDirectoryKeepsTheEntriesInRedisUntilItIsWritable() throws Exception {
    pushGoodAndGarbage();
    try (ReadOnlyDirectory dir = ReadOnlyDirectory.of(deadLetterDir());
        DaemonProcess d = DaemonProcess.start(List.of(), stdoutEnv(), work)) {
      assertKeptInRedisUntilTheStoreWorks(d, () -> {
        try {
          dir.makeWritable();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }
}
