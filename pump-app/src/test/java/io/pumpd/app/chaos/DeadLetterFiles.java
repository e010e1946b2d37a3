package io.pumpd.app.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The records a pump dead-lettered, read from every daemon's dead-letter files ({@code
 * <work>/dead-<consumer>/dead-letter-*.jsonl}, kind {@code rejected}).
 */
final class DeadLetterFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeadLetterFiles() {}

  /** The {@code api_key} of every record {@code pump} rejected, over all daemons under {@code work}. */
  static List<String> keys(Path work, String pump) {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(work, 2)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("dead-letter-")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode e = JSON.readTree(line);
          if ("rejected".equals(e.path("kind").asText()) && pump.equals(e.path("pump").asText())) {
            out.add(e.path("record").path("api_key").asText());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
