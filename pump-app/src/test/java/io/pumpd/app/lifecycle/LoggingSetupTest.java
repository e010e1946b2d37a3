package io.pumpd.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The console output as the daemon configures it: text lines with escaped messages, JSON lines,
 * and java.util.logging records routed through both. Standard error is captured for each test
 * and the text format at info restored afterwards.
 */
class LoggingSetupTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureStandardError() {
    originalErr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    LoggingSetup.routeJavaUtilLogging();
  }

  @AfterEach
  void restore() {
    System.setErr(originalErr);
    LoggingSetup.format("text");
    LoggingSetup.level("info");
  }

  private List<String> lines() {
    return captured.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void textFormatKeepsEachMessageOnOneLineButAStackTraceKeepsItsLines() {
    LoggingSetup.format("text");
    LoggingSetup.level("info");
    org.slf4j.Logger log = LoggerFactory.getLogger("io.pumpd.test.escape");

    log.info("Pump {} started", "evil\n2026-12-01T00:00:00.000Z INFO  [main] fake\r\u001b[2J");
    log.warn("with a trace", new IllegalStateException("boom"));

    List<String> lines = lines();
    assertThat(lines.get(0)).endsWith(" INFO  [main] io.pumpd.test.escape - Pump"
        + " evil\\n2026-12-01T00:00:00.000Z INFO  [main] fake\\r\\u001b[2J started");
    assertThat(lines.get(1)).endsWith(" - with a trace");
    assertThat(lines.get(2)).isEqualTo("java.lang.IllegalStateException: boom");
    assertThat(lines.get(3)).startsWith("\tat io.pumpd.app.lifecycle.LoggingSetupTest.");
    assertThat(lines).noneMatch(l -> l.startsWith("2026-12-01"));
  }

  @Test
  void javaUtilLoggingRecordsAppearInTheJsonFormatWithTheConfiguredLevel() throws Exception {
    LoggingSetup.format("json");
    LoggingSetup.level("info");
    // not under io.pumpd: the sinks' test jar sets io.pumpd to DEBUG
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("test.jul");

    jul.warning("written through java.util.logging\nsecond line");
    jul.fine("a FINE record");

    // below the level JUL drops the record itself: nothing is formatted or bridged
    assertThat(jul.isLoggable(Level.FINE)).isFalse();
    assertThat(lines()).singleElement().satisfies(line -> {
      JsonNode event = JSON.readTree(line);
      assertThat(event.path("level").asText()).isEqualTo("WARN");
      assertThat(event.path("loggerName").asText()).isEqualTo("test.jul");
      assertThat(event.path("message").asText())
          .isEqualTo("written through java.util.logging\nsecond line");
    });

    LoggingSetup.level("debug");
    jul.fine("a FINE record at debug");

    assertThat(jul.isLoggable(Level.FINE)).isTrue();
    assertThat(lines()).hasSize(2);
    assertThat(JSON.readTree(lines().get(1)).path("message").asText())
        .isEqualTo("a FINE record at debug");
  }
}
