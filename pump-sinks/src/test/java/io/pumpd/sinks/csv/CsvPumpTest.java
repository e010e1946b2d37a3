package io.pumpd.sinks.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import io.pumpd.sinks.csv.testing.CsvRows;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  private CsvPump pump(Clock clock, CsvPump.FileOpener opener) throws Exception {
    CsvPump p = new CsvPump(new ObjectMapper().readValue(
        "{\"csv_dir\": \"" + dir.resolve("out") + "\"}", CsvSettings.class), clock, opener);
    p.init(new PumpContext("csv", "csv", Duration.ZERO, new SimpleMeterRegistry()));
    return p;
  }

  private static final Clock WRITE_TIME = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

  /** Every row of every csv file in the output directory, headers left out. */
  private List<List<String>> allRows() throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve("out"))) {
      for (Path f : files.sorted().toList()) {
        List<List<String>> inFile = CsvRows.read(f);
        assertThat(inFile.get(0)).as("header of %s", f).isEqualTo(CsvRecordFormat.HEADER);
        assertThat(inFile.subList(1, inFile.size())).as("one header per file").doesNotContain(CsvRecordFormat.HEADER);
        rows.addAll(inFile.subList(1, inFile.size()));
      }
    }
    return rows;
  }

  @Test
  void recordsWithTimesAtYearPlusAndMinusOneBillionAreWrittenAndTheRestOfTheBatchToo() throws Exception {
    CsvPump p = pump(WRITE_TIME, FileChannel::open);
    List<AnalyticsRecord> records = new ArrayList<>(Fixtures.records(Fixtures.MODERN).subList(0, 999));
    records.add(500, HostileRecords.timeStampYearPlus1e9());
    records.add(HostileRecords.expireAtYearMinus1e9());

    WriteResult result = p.write(records, Deadline.NONE).toCompletableFuture().join();

    assertThat(result).isEqualTo(WriteResult.delivered(1001));
    List<List<String>> ownDay = CsvRows.read(dir.resolve("out/2026-November-20.csv"));
    assertThat(ownDay).hasSize(1 + 1000); // header, 999 good records and the one expiring at -1e9
    assertThat(ownDay.get(1000).get(37)).isEqualTo("-1000000000-01-01 00:00:00 +0000 UTC");
    // a time RFC 3339 cannot write has no usable day: the file of the day it was written
    List<List<String>> writeDay = CsvRows.read(dir.resolve("out/2026-November-22.csv"));
    assertThat(writeDay).hasSize(2);
    assertThat(writeDay.get(1).get(2)).isEqualTo("/hostile/timestamp-plus-1e9");
    assertThat(writeDay.get(1).get(12)).isEqualTo("1000000000-12-31 23:59:59.999999999 +0000 UTC");
    assertThat(allRows()).hasSize(1001).doesNotHaveDuplicates();
  }

  @Test
  void everyDecodableRecordIsWrittenAsOneCompleteRow() throws Exception {
    CsvPump p = pump(WRITE_TIME, FileChannel::open);
    List<AnalyticsRecord> records = HostileRecords.amongGood(Fixtures.records(Fixtures.MODERN).subList(0, 100));

    WriteResult result = p.write(records, Deadline.NONE).toCompletableFuture().join();

    assertThat(result).isEqualTo(WriteResult.delivered(records.size()));
    List<List<String>> rows = allRows();
    assertThat(rows).hasSize(records.size());
    assertThat(rows).extracting(r -> r.get(2))
        .containsExactlyInAnyOrderElementsOf(records.stream().map(AnalyticsRecord::getPath).toList());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "+1000000000-12-31T23:59:59.999999999Z, 1000000000-12-31 23:59:59.999999999 +0000 UTC",
    "-1000000000-01-01T00:00:00Z,           -1000000000-01-01 00:00:00 +0000 UTC",
    "+10000-01-01T00:00:00.500Z,            10000-01-01 00:00:00.5 +0000 UTC",
    "-0001-12-31T23:59:59Z,                 -0001-12-31 23:59:59 +0000 UTC",
    "0000-01-01T00:00:00Z,                  0000-01-01 00:00:00 +0000 UTC",
    "0001-01-01T00:00:00Z,                  0001-01-01 00:00:00 +0000 UTC",
  })
  void goTimeStringTakesAnyYearAsGoDoes(String instant, String go) {
    assertThat(CsvRecordFormat.goTimeString(Instant.parse(instant))).isEqualTo(go);
  }

  /**
   * Disk full half-way through a batch that spans two day files: the file written first is
   * truncated back, and the batch offered again is written exactly once.
   */
  @Test
  void aFailedAppendLeavesNoRowOfTheBatchAndTheRetryWritesEachRowOnce() throws Exception {
    CsvPump p = pump(WRITE_TIME, FileChannel::open);
    List<AnalyticsRecord> fixtures = Fixtures.records(Fixtures.MODERN);
    p.write(fixtures.subList(0, 10), Deadline.NONE); // the 20th's file exists already, with rows
    Path day20 = dir.resolve("out/2026-November-20.csv");
    Path day21 = dir.resolve("out/2026-November-21.csv");
    byte[] before = Files.readAllBytes(day20);
    Files.createSymbolicLink(day21, Path.of("/dev/full")); // writes fail with ENOSPC
    List<AnalyticsRecord> batch = new ArrayList<>(); // 1,500 records, as in the audit
    for (AnalyticsRecord r : fixtures.subList(10, 760)) {
      batch.add(r);
      batch.add(r.copy().setTimeStamp(r.getTimeStamp().plus(Duration.ofDays(1))).setPath(r.getPath() + "/next-day"));
    }

    assertThatThrownBy(() -> p.write(batch, Deadline.NONE))
        .isInstanceOf(RetriablePumpException.class)
        .hasMessageContaining("2026-November-21.csv")
        .hasMessageContaining("No space left on device");
    assertThat(Files.readAllBytes(day20)).as("the 20th's rows of the failed batch are taken back").isEqualTo(before);

    Files.delete(day21); // the disk has room again
    WriteResult retry = p.write(batch, Deadline.NONE).toCompletableFuture().join();

    assertThat(retry).isEqualTo(WriteResult.delivered(batch.size()));
    assertThat(CsvRows.read(day20)).hasSize(1 + 10 + batch.size() / 2);
    assertThat(CsvRows.read(day21)).hasSize(1 + batch.size() / 2);
    assertThat(allRows()).hasSize(10 + batch.size()).doesNotHaveDuplicates();
  }

  /** A write that stops part-way (the device filled up mid-row) leaves no torn row behind. */
  @Test
  void aWriteThatStopsPartWayIsTruncatedBackSoNoTornRowStays() throws Exception {
    Path day20 = dir.resolve("out/2026-November-20.csv");
    List<AnalyticsRecord> fixtures = Fixtures.records(Fixtures.MODERN);
    pump(WRITE_TIME, FileChannel::open).write(fixtures.subList(0, 3), Deadline.NONE);
    byte[] before = Files.readAllBytes(day20);
    CsvPump failing = pump(WRITE_TIME, (file, options) -> new FillsUp(FileChannel.open(file, options), 5000));

    assertThatThrownBy(() -> failing.write(fixtures.subList(3, 503), Deadline.NONE))
        .isInstanceOf(RetriablePumpException.class);
    assertThat(Files.readAllBytes(day20)).isEqualTo(before);

    failing.close();
    pump(WRITE_TIME, FileChannel::open).write(fixtures.subList(3, 503), Deadline.NONE);
    assertThat(CsvRows.read(day20)).hasSize(1 + 503);
    assertThat(allRows()).hasSize(503).doesNotHaveDuplicates();
  }

  @Test
  void aFileLeftEmptyByARollBackGetsItsHeader() throws Exception {
    Path day20 = dir.resolve("out/2026-November-20.csv");
    List<AnalyticsRecord> fixtures = Fixtures.records(Fixtures.MODERN);
    CsvPump failing = pump(WRITE_TIME, (file, options) -> new FillsUp(FileChannel.open(file, options), 100));
    assertThatThrownBy(() -> failing.write(fixtures.subList(0, 5), Deadline.NONE))
        .isInstanceOf(RetriablePumpException.class);
    assertThat(day20).isEmptyFile();

    pump(WRITE_TIME, FileChannel::open).write(fixtures.subList(0, 5), Deadline.NONE);
    assertThat(CsvRows.read(day20)).hasSize(6).first().isEqualTo(CsvRecordFormat.HEADER);
  }

  /** Two csv pumps of one daemon sharing csv_dir: batches never interleave, so no row is torn. */
  @Test
  void pumpsSharingADirectoryWriteWholeBatchesOneAfterTheOther() throws Exception {
    List<AnalyticsRecord> fixtures = Fixtures.records(Fixtures.MODERN);
    List<CsvPump> pumps = List.of(pump(WRITE_TIME, FileChannel::open), pump(WRITE_TIME, FileChannel::open));
    List<Thread> writers = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (CsvPump p : pumps) {
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < 10; i++) {
            p.write(fixtures.subList(i * 100, i * 100 + 100), Deadline.NONE);
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      writers.add(t);
      t.start();
    }
    for (Thread t : writers) {
      t.join();
    }
    assertThat(errors).isEmpty();
    List<List<String>> rows = CsvRows.read(dir.resolve("out/2026-November-20.csv"));
    assertThat(rows).hasSize(1 + 2000);
    assertThat(rows.subList(1, rows.size())).doesNotContain(CsvRecordFormat.HEADER);
  }

  /** A file channel on a device that fills up after {@code room} more bytes (a partial write, then ENOSPC). */
  private static final class FillsUp extends FileChannel {
    private final FileChannel file;
    private long room;

    FillsUp(FileChannel file, long room) {
      this.file = file;
      this.room = room;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (room <= 0) {
        throw new IOException("No space left on device");
      }
      ByteBuffer part = src.slice();
      part.limit((int) Math.min(part.remaining(), room));
      int n = file.write(part, position);
      src.position(src.position() + n);
      room -= n;
      return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return file.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return write(src, file.position());
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      file.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      file.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
