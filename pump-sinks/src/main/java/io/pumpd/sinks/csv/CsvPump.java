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
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 * While a batch is written, its files are locked (in name order) against the other csv pumps of the
 * daemon and, with an exclusive file lock, against other processes that lock them too (another
 * pumpd), so a roll-back never removes someone else's rows. A write waits for those locks until its
 * deadline, then fails as {@link RetriablePumpException} (the batch was not written), and {@link
 * #close} ends such a wait the same way within {@value #LOCK_POLL_MILLIS} ms.
 */
public final class CsvPump implements Pump {
  private static final Logger LOG = LoggerFactory.getLogger(CsvPump.class);
  private static final byte[] HEADER =
      CsvRecordFormat.line(CsvRecordFormat.HEADER).getBytes(StandardCharsets.UTF_8);

  /** One lock per day file for the csv pumps of this process (several may share a {@code csv_dir}). */
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  /** How often a write waiting for a day file's lock looks again (and at its deadline and close). */
  static final long LOCK_POLL_MILLIS = 20;

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
    dir = Path.of(settings.csvDir()).toAbsolutePath().normalize();
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
    Map<Path, StringBuilder> byFile = new TreeMap<>(); // sorted: every writer locks in the same order
    for (Row row : rows.values()) {
      byFile.computeIfAbsent(row.file(), f -> new StringBuilder()).append(row.line());
    }
    List<DayFile> files = new ArrayList<>(byFile.size());
    try {
      for (Path file : byFile.keySet()) {
        DayFile f = new DayFile(file);
        files.add(f);
        f.open(deadline);
      }
      int i = 0;
      for (StringBuilder lines : byFile.values()) {
        files.get(i++).append(lines);
      }
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Path failed = files.isEmpty() ? dir : files.get(files.size() - 1).file;
      for (DayFile f : files) {
        if (f.failed) {
          failed = f.file;
        }
      }
      throw new RetriablePumpException(
          "cannot append to " + failed + ": " + (e.getMessage() == null ? e.toString() : e.getMessage())
              + rollBack(files), e);
    } finally {
      for (int j = files.size() - 1; j >= 0; j--) {
        files.get(j).close();
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

  /**
   * Truncates every file of the batch back to its size before the batch; returns what could not be
   * undone, for the failure message (empty when everything was).
   */
  private static String rollBack(List<DayFile> files) {
    StringBuilder problems = new StringBuilder();
    boolean interrupted = Thread.interrupted(); // an interrupt would close the channels under us
    try {
      for (DayFile f : files) {
        f.rollBack(problems);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return problems.toString();
  }

  /**
   * One day file during a {@code write}: locked against other writers (other csv pumps of this
   * daemon through {@link #IN_PROCESS}, other processes through an exclusive file lock) from before
   * its size is read until the batch is written or rolled back, so the rows of one batch are
   * contiguous and a roll-back only ever removes this batch's bytes.
   */
  private final class DayFile {
    final Path file;
    private final ReentrantLock inProcess;
    private FileChannel channel;
    private FileLock lock;
    private long sizeBefore = -1;
    boolean failed;

    DayFile(Path file) {
      this.file = file;
      this.inProcess = IN_PROCESS.computeIfAbsent(file, f -> new ReentrantLock());
    }

    /**
     * Takes the file's locks, waiting until {@code deadline} or close, and reads its size.
     *
     * @throws IOException a lock was still held by someone else at the deadline or close
     */
    void open(Deadline deadline) throws IOException, InterruptedException {
      try {
        while (!inProcess.tryLock(LOCK_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          stillWaiting("another csv pump of this daemon", deadline);
        }
        channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        while ((lock = tryLock()) == null) {
          stillWaiting("another process", deadline);
          Thread.sleep(LOCK_POLL_MILLIS);
        }
        sizeBefore = channel.size();
      } catch (IOException | RuntimeException e) {
        failed = true;
        throw e;
      }
    }

    private FileLock tryLock() throws IOException {
      try {
        return channel.tryLock();
      } catch (OverlappingFileLockException e) {
        throw new IOException("locked by another csv pump of this daemon (the same file through another path?)", e);
      }
    }

    private void stillWaiting(String holder, Deadline deadline) throws IOException {
      if (closed) {
        throw new IOException("locked by " + holder + " when the pump closed");
      }
      if (deadline.isExpired()) {
        throw new IOException("locked by " + holder + " until the write's deadline");
      }
    }

    /** Appends {@code lines}, after the header when the file is empty, in one forced write. */
    void append(CharSequence lines) throws IOException {
      try {
        byte[] rows = lines.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = sizeBefore > 0
            ? ByteBuffer.wrap(rows)
            : ByteBuffer.allocate(HEADER.length + rows.length).put(HEADER).put(rows).flip();
        long at = sizeBefore;
        while (buf.hasRemaining()) {
          at += channel.write(buf, at);
        }
        channel.force(false);
      } catch (IOException | RuntimeException e) {
        failed = true;
        throw e;
      }
    }

    /** Truncates the file back to its size before the batch (nothing to do if it was never read). */
    void rollBack(StringBuilder problems) {
      if (sizeBefore < 0) {
        return;
      }
      try {
        FileChannel ch = channel != null && channel.isOpen()
            ? channel
            : opener.open(file, StandardOpenOption.WRITE); // closed by an interrupt: its lock is gone too
        try {
          if (ch.size() > sizeBefore) {
            ch.truncate(sizeBefore);
            ch.force(false);
          }
        } finally {
          if (ch != channel) {
            ch.close();
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.error("csv pump: cannot truncate {} back to {} bytes after a failed write; it may end with rows "
            + "of a batch that will be written again: {}", file, sizeBefore, e.toString());
        problems.append("; could not truncate ").append(file).append(" back to ").append(sizeBefore)
            .append(" bytes: ").append(e.getMessage());
      }
    }

    void close() {
      try {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
        if (channel != null) {
          channel.close();
        }
      } catch (IOException e) {
        LOG.debug("csv pump: closing {}: {}", file, e.toString());
      } finally {
        if (inProcess.isHeldByCurrentThread()) {
          inProcess.unlock();
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
