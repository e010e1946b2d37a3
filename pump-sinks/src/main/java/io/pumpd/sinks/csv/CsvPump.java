package io.pumpd.sinks.csv;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Tyk's {@code csv} pump: appends records to CSV files in {@code csv_dir} with Tyk's columns and a
 * header line in each new file. One file per UTC day of the record's timestamp, named like Tyk's
 * ({@code 2026-November-20.csv}; Tyk uses one file per hour of the pump's wall clock). Writes are
 * synchronous and forced to disk before {@code write} returns.
 */
public final class CsvPump implements Pump {
  private final CsvSettings settings;
  private Path dir;
  private volatile boolean closed;

  public CsvPump(CsvSettings settings) {
    this.settings = settings;
  }

  @Override
  public void init(PumpContext context) throws PumpException {
    dir = Path.of(settings.csvDir());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new PumpException("cannot create csv_dir " + dir.toAbsolutePath() + ": " + e, e);
    }
    if (!Files.isWritable(dir)) {
      throw new PumpException("csv_dir " + dir.toAbsolutePath() + " is not writable");
    }
  }

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
      throws PumpException {
    if (closed) {
      throw new PumpException("csv pump is closed");
    }
    Map<Path, StringBuilder> byFile = new LinkedHashMap<>();
    for (AnalyticsRecord r : records) {
      byFile.computeIfAbsent(fileFor(r), f -> new StringBuilder())
          .append(CsvRecordFormat.line(CsvRecordFormat.values(r)));
    }
    for (Map.Entry<Path, StringBuilder> e : byFile.entrySet()) {
      append(e.getKey(), e.getValue());
    }
    return WriteResult.completed(records.size());
  }

  /** The day file for a record: {@code <Year>-<MonthName>-<Day>.csv} of its UTC timestamp. */
  Path fileFor(AnalyticsRecord r) {
    LocalDate d = r.getTimeStamp().atZone(ZoneOffset.UTC).toLocalDate();
    String name = d.getYear() + "-" + d.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
        + "-" + d.getDayOfMonth() + ".csv";
    return dir.resolve(name);
  }

  private static void append(Path file, CharSequence lines) throws PumpException {
    boolean isNew = !Files.exists(file);
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE,
        StandardOpenOption.DSYNC)) {
      if (isNew) {
        w.write(CsvRecordFormat.line(CsvRecordFormat.HEADER));
      }
      w.append(lines);
    } catch (IOException e) {
      throw new RetriablePumpException("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
