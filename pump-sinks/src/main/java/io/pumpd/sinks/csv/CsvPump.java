package io.pumpd.sinks.csv;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RenderedBatch;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.GoTime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyk's {@code csv} pump: appends records to CSV files in {@code csv_dir} with Tyk's columns and a
 * header line at the top of each file. One file per UTC day of the record's timestamp, named like
 * Tyk's ({@code 2026-November-20.csv}; Tyk uses one file per hour of the pump's wall clock); a
 * record whose year is outside [0, 9999] goes to the file of the day it is written (its own day
 * would make a file name such as {@code -1000000000-January-1.csv}).
 *
 * <h2>A batch is written whole or not at all</h2>
 *
 * Every row of the batch is rendered first ({@link RenderedBatch}; a record that cannot be
 * rendered fails alone and the others are written). Then each day file gets the batch's rows for
 * it in a single write at the file's end, forced to disk before {@code write} returns. When a write
 * fails (disk full, I/O error), every file this batch touched is truncated back to its size before
 * the batch, so no torn row and no row of the failed batch stays behind, and the batch is failed
 * as {@link RetriablePumpException}: offering it again appends each row exactly once. A file gets
 * its header when it is empty, so a file truncated back to nothing gets one on the next write.
 */
public final class CsvPump implements Pump {
  private static final Logger LOG = LoggerFactory.getLogger(CsvPump.class);
  private static final byte[] HEADER =
      CsvRecordFormat.line(CsvRecordFormat.HEADER).getBytes(StandardCharsets.UTF_8);

  /** Opens a day file for writing; a seam for tests that need a file failing part-way. */
  @FunctionalInterface
  interface FileOpener {
    FileChannel open(Path file, OpenOption... options) throws IOException;
  }

  private final CsvSettings settings;
  private final Clock clock;
  private final FileOpener opener;
  private Path dir;
  private volatile boolean closed;

  public CsvPump(CsvSettings settings) {
    this(settings, Clock.systemUTC(), FileChannel::open);
  }

  /**
   * @param clock the write time, for records without a usable day of their own
   * @param opener how day files are opened
   */
  CsvPump(CsvSettings settings, Clock clock, FileOpener opener) {
    this.settings = settings;
    this.clock = clock;
    this.opener = opener;
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

  /** One rendered record: the day file it goes to and its line. */
  private record Row(Path file, String line) {}

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
      throws PumpException {
    if (closed) {
      throw new PumpException("csv pump is closed");
    }
    RenderedBatch<Row> rows =
        RenderedBatch.render(
            records, "a csv row", r -> new Row(fileFor(r), CsvRecordFormat.line(CsvRecordFormat.values(r))));
    Map<Path, StringBuilder> byFile = new LinkedHashMap<>();
    for (Row row : rows.values()) {
      byFile.computeIfAbsent(row.file(), f -> new StringBuilder()).append(row.line());
    }
    List<Appended> done = new ArrayList<>(byFile.size());
    for (Map.Entry<Path, StringBuilder> e : byFile.entrySet()) {
      try {
        done.add(append(e.getKey(), e.getValue()));
      } catch (AppendFailure failure) {
        if (failure.sizeBefore >= 0) {
          done.add(new Appended(e.getKey(), failure.sizeBefore));
        }
        throw new RetriablePumpException(
            "cannot append to " + e.getKey() + ": " + failure.getCause().getMessage() + rollBack(done),
            failure.getCause());
      }
    }
    return CompletableFuture.completedFuture(rows.result());
  }

  /**
   * The day file for a record: {@code <Year>-<MonthName>-<Day>.csv} of its UTC timestamp, or of
   * the write time when the timestamp's year is outside [0, 9999].
   */
  Path fileFor(AnalyticsRecord r) {
    Instant t = GoTime.hasFourDigitYear(r.getTimeStamp()) ? r.getTimeStamp() : clock.instant();
    LocalDate d = LocalDate.ofInstant(t, ZoneOffset.UTC);
    String name = d.getYear() + "-" + d.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
        + "-" + d.getDayOfMonth() + ".csv";
    return dir.resolve(name);
  }

  /** A file this batch appended to, and its size before. */
  private record Appended(Path file, long sizeBefore) {}

  /** An append that failed; {@code sizeBefore} is -1 when the file could not even be opened. */
  private static final class AppendFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final long sizeBefore;

    AppendFailure(long sizeBefore, IOException cause) {
      super(cause);
      this.sizeBefore = sizeBefore;
    }
  }

  /** Appends {@code lines} (and the header first when the file is empty) in one forced write. */
  private Appended append(Path file, CharSequence lines) throws AppendFailure {
    long sizeBefore = -1;
    try (FileChannel ch = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      sizeBefore = ch.size();
      byte[] rows = lines.toString().getBytes(StandardCharsets.UTF_8);
      ByteBuffer buf;
      if (sizeBefore == 0) {
        buf = ByteBuffer.allocate(HEADER.length + rows.length).put(HEADER).put(rows).flip();
      } else {
        buf = ByteBuffer.wrap(rows);
      }
      long at = sizeBefore;
      while (buf.hasRemaining()) {
        at += ch.write(buf, at);
      }
      ch.force(false);
      return new Appended(file, sizeBefore);
    } catch (IOException e) {
      throw new AppendFailure(sizeBefore, e);
    }
  }

  /**
   * Truncates every file of {@code appended} back to its size before the batch; returns what could
   * not be undone, for the failure message (empty when everything was).
   */
  private String rollBack(List<Appended> appended) {
    StringBuilder problems = new StringBuilder();
    boolean interrupted = Thread.interrupted(); // an interrupt would close the channels under us
    try {
      truncate(appended, problems);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return problems.toString();
  }

  private void truncate(List<Appended> appended, StringBuilder problems) {
    for (Appended a : appended) {
      try (FileChannel ch = opener.open(a.file(), StandardOpenOption.WRITE)) {
        if (ch.size() > a.sizeBefore()) {
          ch.truncate(a.sizeBefore());
          ch.force(false);
        }
      } catch (IOException e) {
        LOG.error("csv pump: cannot truncate {} back to {} bytes after a failed write; it may end "
            + "with rows of a batch that will be written again: {}", a.file(), a.sizeBefore(), e.toString());
        problems.append("; could not truncate ").append(a.file()).append(" back to ")
            .append(a.sizeBefore()).append(" bytes: ").append(e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
