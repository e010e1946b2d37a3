package io.pumpd.app.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Prints a chaos run's figures per sink (pushed, received, lost, duplicated) to standard output
 * and appends them to {@code target/chaos-report.txt}, so a full-size run leaves its numbers
 * behind for {@code docs/DELIVERY.md}.
 */
final class ChaosReport {
  private static final Path FILE = Path.of("target", "chaos-report.txt");

  private ChaosReport() {}

  static void line(String test, ChaosSize size, String text) {
    String line = Instant.now() + " [" + size.name() + "] " + test + ": " + text;
    System.out.println(line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.out.println("(could not write " + FILE + ": " + e + ")");
    }
  }

  /** {@code stdout: pushed 30000, received 30120, lost 0, duplicated 120}. */
  static void sink(String test, ChaosSize size, SinkLedger sink, int pushed, String extra) {
    sink.refresh();
    line(test, size, String.format("%s: pushed %d, received %d, lost %d, duplicated %d%s%s",
        sink.name(), pushed, sink.received(), pushed - sink.distinct(pushed), sink.duplicates(),
        sink.deadLettered() > 0 ? ", dead-lettered " + sink.deadLettered() + " (with the reason)"
            : "", extra == null ? "" : ", " + extra));
  }
}
