package io.pumpd.sinks.csv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvPumpTest {
  @TempDir Path dir;

  private CsvPump pump() throws Exception {
    CsvPump p = new CsvPump(new ObjectMapper().readValue(
        "{\"csv_dir\": \"" + dir.resolve("out") + "\"}", CsvSettings.class));
    p.init(new PumpContext("csv", "csv", Duration.ZERO, new SimpleMeterRegistry()));
    return p;
  }

  @Test
  void writesTyksColumnsWithAHeaderOncePerDayFile() throws Exception {
    CsvPump p = pump();
    List<AnalyticsRecord> records = Fixtures.records(Fixtures.MODERN);
    p.write(records.subList(0, 10), Deadline.NONE);
    p.write(records.subList(10, 20), Deadline.NONE);
    Path file = dir.resolve("out/2026-November-20.csv");
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(21);
    assertThat(lines.get(0)).startsWith("Method,Host,Path,RawPath,ContentLength,UserAgent,Day,Month")
        .endsWith("Latency.Total,Latency.Upstream,Tags,Alias,TrackPath,ExpireAt");
    assertThat(lines.get(0).split(",")).hasSize(38);
    AnalyticsRecord first = records.get(0);
    assertThat(lines.get(1)).startsWith("DELETE,upstream-0.internal,/52420/health,/52420/health,9284,,20,November,2026,14,404,fddc8fdd94d5f760,2026-11-20 14:00:00.000922 +0000 UTC,Non Versioned,")
        .contains(String.join(";", first.getTags()))
        .endsWith(",false,2026-12-20 14:00:00.000922 +0000 UTC");
  }

  @Test
  void quotesFieldsLikeGosCsvWriter() {
    assertThat(CsvRecordFormat.line(List.of("a,b", "say \"hi\"", " lead", "plain", "", "x\ny")))
        .isEqualTo("\"a,b\",\"say \"\"hi\"\"\",\" lead\",plain,,\"x\ny\"\n");
  }

  @Test
  void recordsGoToTheFileOfTheirOwnUtcDay() throws Exception {
    CsvPump p = pump();
    AnalyticsRecord a = Fixtures.records(Fixtures.MODERN).get(0).copy()
        .setTimeStamp(Instant.parse("2026-01-01T23:59:59Z"));
    AnalyticsRecord b = a.copy().setTimeStamp(Instant.parse("2026-01-02T00:00:00Z"));
    p.write(List.of(a, b), Deadline.NONE);
    assertThat(Files.readAllLines(dir.resolve("out/2026-January-1.csv"))).hasSize(2);
    assertThat(Files.readAllLines(dir.resolve("out/2026-January-2.csv"))).hasSize(2);
  }

  @Test
  void goTimeStringTrimsTheFraction() {
    assertThat(CsvRecordFormat.goTimeString(Instant.parse("2026-11-20T14:00:00.100Z")))
        .isEqualTo("2026-11-20 14:00:00.1 +0000 UTC");
    assertThat(CsvRecordFormat.goTimeString(Instant.parse("2026-11-20T14:00:00Z")))
        .isEqualTo("2026-11-20 14:00:00 +0000 UTC");
  }
}
