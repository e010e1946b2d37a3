package io.pumpd.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.codec.MsgpackRecordEncoder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import io.pumpd.sinks.csv.testing.CsvRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue #9, finding A, as an operator would meet it: the packaged daemon in its default mode
 * ({@code at_least_once}) with a stdout and a csv pump, and a gateway list holding 999 real records
 * plus one whose {@code TimeStamp} is at year 1e9 and one whose {@code ExpireAt} is at year -1e9
 * (valid msgpack, valid Go times). Every good record must arrive exactly once in both sinks; each
 * extreme record must be delivered in the documented representation or dead-lettered with a
 * reason, never silently missing. Before the fix, the whole batch was dead-lettered (0 of 1,000
 * delivered) and the extreme record's own dead-letter entry was dropped.
 */
@DisplayName("hostile input: records with times at year ±1e9 among good ones")
class ExtremeValuesHostileIT extends HostileSuite {
  private static final Duration DELIVERY_WAIT = Duration.ofSeconds(90);
  private static final String PLUS_PATH = "/hostile/timestamp-plus-1e9";
  private static final String MINUS_PATH = "/hostile/expireat-minus-1e9";

  @Test
  void goodRecordsArriveExactlyOnceAndExtremeOnesAreDeliveredOrDeadLetteredWithAReason() throws Exception {
    List<byte[]> good = Fixtures.raw(Fixtures.MODERN).subList(0, 999);
    MsgpackRecordEncoder encoder = new MsgpackRecordEncoder();
    List<byte[]> elements = new ArrayList<>(good);
    elements.add(500, encoder.encode(HostileRecords.timeStampYearPlus1e9()));
    elements.add(encoder.encode(HostileRecords.expireAtYearMinus1e9()));
    feeder.push(KEY, elements);
    List<JsonNode> expectedJson = new ArrayList<>();
    for (String line : Fixtures.jsonLines(Fixtures.MODERN).subList(0, 999)) {
      expectedJson.add(JSON.readTree(line));
    }
    List<String> expectedRows = new ArrayList<>();
    for (AnalyticsRecord r : Fixtures.records(Fixtures.MODERN).subList(0, 999)) {
      expectedRows.add(rowKey(r.getPath(), goTimeString(r.getTimeStamp())));
    }

    Map<String, String> env = env();
    env.put("TYK_PMP_PUMPS_STDOUT_TYPE", "stdout");
    env.put("TYK_PMP_PUMPS_STDOUT_META_FORMAT", "json");
    env.put("TYK_PMP_PUMPS_STDOUT_META_USELEGACYPAYLOADFORMAT", "true");
    env.put("TYK_PMP_PUMPS_CSV_TYPE", "csv");
    env.put("TYK_PMP_PUMPS_CSV_META_CSVDIR", work.resolve("csv").toString());

    try (DaemonProcess d = DaemonProcess.start(List.of(), env, work)) {
      try {
        await("every record delivered or dead-lettered by both pumps")
            .atMost(DELIVERY_WAIT)
            .pollInterval(Duration.ofMillis(250))
            .ignoreException(IllegalArgumentException.class) // a csv file read while a batch is being written
            .failFast("daemon exited", () -> !d.isAlive())
            .until(() -> stdoutRecords(d).size() + deadLettered("stdout").size() >= 1001
                && csvRows().size() + deadLettered("csv").size() >= 1001);
      } catch (ConditionTimeoutException | TerminalFailureException e) {
        throw new AssertionError("of 1001 records: stdout printed " + stdoutRecords(d).size() + ", dead-lettered "
            + deadLettered("stdout").size() + "; csv wrote " + csvRows().size() + ", dead-lettered "
            + deadLettered("csv").size() + "; log:\n" + String.join("\n", d.logs()), e);
      }
      d.sigterm();
      assertThat(d.awaitExit(Duration.ofSeconds(30))).as("exit status").isZero();

      // stdout: the 999 good records, each exactly once
      List<JsonNode> printed = stdoutRecords(d);
      List<JsonNode> printedGood = printed.stream().filter(n -> !n.get("path").asText().startsWith("/hostile/")).toList();
      assertThat(printedGood).hasSize(999).containsExactlyInAnyOrderElementsOf(expectedJson);
      // csv: the 999 good records, each exactly once, no torn row (CsvRows is strict)
      List<List<String>> rows = csvRows();
      List<String> goodRows = rows.stream().filter(r -> !r.get(2).startsWith("/hostile/"))
          .map(r -> rowKey(r.get(2), r.get(12))).toList();
      assertThat(goodRows).hasSize(999).containsExactlyInAnyOrderElementsOf(expectedRows);

      // each extreme record: in the documented representation, or dead-lettered with a reason
      assertExtremeOnStdoutOrDeadLettered(printed, PLUS_PATH, "timestamp", HostileRecords.YEAR_PLUS_1E9_JSON);
      assertExtremeOnStdoutOrDeadLettered(printed, MINUS_PATH, "expireAt", HostileRecords.YEAR_MINUS_1E9_JSON);
      assertExtremeInCsvOrDeadLettered(rows, PLUS_PATH, 12, "1000000000-12-31 23:59:59.999999999 +0000 UTC");
      assertExtremeInCsvOrDeadLettered(rows, MINUS_PATH, 37, "-1000000000-01-01 00:00:00 +0000 UTC");
    }
    try (RedisFeeder f = new RedisFeeder(redis.host(), redis.port())) {
      assertThat(f.backlog()).as("gateway lists drained").isZero();
    }
  }

  private void assertExtremeOnStdoutOrDeadLettered(
      List<JsonNode> printed, String path, String field, String documented) {
    List<JsonNode> lines = printed.stream().filter(n -> n.get("path").asText().equals(path)).toList();
    Optional<JsonNode> dead = deadLetteredRecord("stdout", path);
    assertThat(lines.size() + (dead.isPresent() ? 1 : 0)).as("%s on stdout or dead-lettered, once", path).isEqualTo(1);
    if (!lines.isEmpty()) {
      assertThat(lines.get(0).get(field).asText()).isEqualTo(documented);
    }
  }

  private void assertExtremeInCsvOrDeadLettered(List<List<String>> rows, String path, int column, String documented) {
    List<List<String>> found = rows.stream().filter(r -> r.get(2).equals(path)).toList();
    Optional<JsonNode> dead = deadLetteredRecord("csv", path);
    assertThat(found.size() + (dead.isPresent() ? 1 : 0)).as("%s in the csv or dead-lettered, once", path).isEqualTo(1);
    if (!found.isEmpty()) {
      assertThat(found.get(0).get(column)).isEqualTo(documented);
    }
  }

  private static List<JsonNode> stdoutRecords(DaemonProcess d) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : d.stdout()) {
      out.add(JSON.readTree(line).get("tyk-analytics-record"));
    }
    return out;
  }

  private List<List<String>> csvRows() throws IOException {
    Path dir = work.resolve("csv");
    List<List<String>> rows = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return rows;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".csv")).sorted().toList()) {
        List<List<String>> inFile = CsvRows.read(f);
        if (!inFile.isEmpty()) {
          assertThat(inFile.get(0).get(0)).as("header of %s", f).isEqualTo("Method");
          rows.addAll(inFile.subList(1, inFile.size()));
        }
      }
    }
    return rows;
  }

  private Optional<JsonNode> deadLetteredRecord(String pump, String path) {
    List<JsonNode> entries = deadLettered(pump).stream()
        .filter(e -> e.path("record").path("path").asText().equals(path)).toList();
    assertThat(entries).as("dead-letter entries of %s for %s", pump, path).hasSizeLessThanOrEqualTo(1);
    entries.forEach(e -> assertThat(e.path("reason").asText()).as("reason").isNotBlank());
    return entries.stream().findFirst();
  }

  /** The dead-letter entries (complete lines) of records {@code pump} rejected. */
  private List<JsonNode> deadLettered(String pump) {
    Path dir = work.resolve("dead-letter");
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("dead-letter-")).toList()) {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        for (String line : end < 0 ? List.<String>of() : text.substring(0, end).lines().toList()) {
          JsonNode e = JSON.readTree(line);
          if ("rejected".equals(e.path("kind").asText()) && pump.equals(e.path("pump").asText())) {
            out.add(e);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Go's time.String() in UTC for a time with a four-digit year (the good records). */
  private static String goTimeString(Instant t) {
    String rfc3339 = RecordJson.formatTime(t);
    return rfc3339.replace('T', ' ').substring(0, rfc3339.length() - 1) + " +0000 UTC";
  }

  private static String rowKey(String path, String timeStamp) {
    return path + " @ " + timeStamp;
  }
}
