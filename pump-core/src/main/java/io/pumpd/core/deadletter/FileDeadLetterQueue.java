package io.pumpd.core.deadletter;

import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.record.UptimeRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DeadLetterQueue} that appends JSON lines to one file per UTC day, {@code
 * dead-letter-YYYY-MM-DD.jsonl}, in a configured directory (created if missing). Each line is one
 * entry:
 *
 * <pre>
 * {"time":"2026-11-20T14:00:00.5Z","kind":"undecodable","source":"analytics-tyk-system-analytics",
 *  "reason":"truncated: ...","raw_base64":"3gAjpk1ldGhvZA..."}
 * {"time":"...","kind":"rejected","pump":"es","reason":"mapper_parsing_exception ...","record":{...}}
 * {"time":"...","kind":"rejected_uptime","pump":"uptime","reason":"...","record":{...}}
 * </pre>
 *
 * <p>{@code raw_base64} is the element's exact bytes (standard Base64 with padding); {@code record}
 * is the record as {@link RecordJson} renders it. The day is taken from the entry's time.
 *
 * <p>Durability: each entry is written with a single unbuffered {@code write} on a file opened for
 * append, so once a method returns the entry is in the operating system's hands and a killed
 * process loses nothing it wrote (an OS crash may still lose the page cache; there is no fsync).
 *
 * <p>Thread-safe: entries from concurrent callers never interleave. Methods never throw: a failure
 * to write (disk full, directory not writable) is logged (rate-limited) and counted, and the file
 * is reopened on the next entry. Entries after {@link #close()} are dropped, logged and counted as
 * failures.
 *
 * <p>Metrics, when a registry is given: {@code pump.deadletter.entries} (tag {@code kind}) for
 * entries written and {@code pump.deadletter.failures} for entries that could not be written.
 */
public final class FileDeadLetterQueue implements DeadLetterQueue {
  private static final Logger LOG = LoggerFactory.getLogger(FileDeadLetterQueue.class);

  static final String UNDECODABLE = "undecodable";
  static final String REJECTED = "rejected";
  static final String REJECTED_UPTIME = "rejected_uptime";

  private final Path directory;
  private final Clock clock;
  private final RateLimitedLogger problems = new RateLimitedLogger(LOG, Duration.ofSeconds(10));
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Counter undecodableCounter;
  private final Counter rejectedCounter;
  private final Counter rejectedUptimeCounter;
  private final Counter failureCounter;

  private final Object lock = new Object();
  private OutputStream out; // guarded by lock
  private LocalDate day; // guarded by lock: the day of the open file
  private boolean closed; // guarded by lock

  /** Without metrics. */
  public FileDeadLetterQueue(Path directory) {
    this(directory, null, Clock.systemUTC());
  }

  /** With metrics on {@code registry}. */
  public FileDeadLetterQueue(Path directory, MeterRegistry registry) {
    this(directory, registry, Clock.systemUTC());
  }

  /**
   * @param directory where the daily files go; created if missing (a failure is logged, not thrown,
   *     and retried on each entry)
   * @param registry for the counters, or null for none
   * @param clock the time of entries and so the day of the file
   */
  public FileDeadLetterQueue(Path directory, MeterRegistry registry, Clock clock) {
    this.directory = directory.toAbsolutePath();
    this.clock = clock;
    this.undecodableCounter = counter(registry, UNDECODABLE);
    this.rejectedCounter = counter(registry, REJECTED);
    this.rejectedUptimeCounter = counter(registry, REJECTED_UPTIME);
    this.failureCounter =
        registry == null
            ? null
            : Counter.builder("pump.deadletter.failures")
                .description("dead-letter entries that could not be written")
                .register(registry);
    try {
      Files.createDirectories(this.directory);
    } catch (IOException | RuntimeException e) {
      LOG.error("dead-letter directory {} cannot be created: {}", this.directory, e.toString());
    }
  }

  private static Counter counter(MeterRegistry registry, String kind) {
    return registry == null
        ? null
        : Counter.builder("pump.deadletter.entries")
            .description("entries written to the dead-letter file")
            .tag("kind", kind)
            .register(registry);
  }

  /** The file name for entries of {@code day} (UTC): {@code dead-letter-2026-11-20.jsonl}. */
  public static String fileName(LocalDate day) {
    return "dead-letter-" + day + ".jsonl";
  }

  /** The directory the daily files are written to. */
  public Path directory() {
    return directory;
  }

  @Override
  public void undecodable(String sourceKey, byte[] raw, String reason) {
    Instant now = clock.instant();
    String line;
    try {
      StringWriter sw = new StringWriter(256 + (raw == null ? 0 : raw.length * 4 / 3));
      try (JsonGenerator g = RecordJson.mapper().getFactory().createGenerator(sw)) {
        start(g, now, UNDECODABLE, "source", sourceKey, reason);
        g.writeStringField("raw_base64", Base64.getEncoder().encodeToString(raw == null ? new byte[0] : raw));
        g.writeEndObject();
      }
      line = sw.toString();
    } catch (IOException | RuntimeException e) {
      fail(UNDECODABLE, sourceKey, "cannot render the entry: " + e);
      return;
    }
    append(now, line, UNDECODABLE, sourceKey, undecodableCounter);
  }

  @Override
  public void rejected(String pump, AnalyticsRecord record, String reason) {
    writeRecord(REJECTED, pump, record, reason, rejectedCounter);
  }

  @Override
  public void rejectedUptime(String pump, UptimeRecord record, String reason) {
    writeRecord(REJECTED_UPTIME, pump, record, reason, rejectedUptimeCounter);
  }

  private void writeRecord(String kind, String pump, Object record, String reason, Counter counter) {
    Instant now = clock.instant();
    String line;
    try {
      StringWriter sw = new StringWriter(2048);
      try (JsonGenerator g = RecordJson.mapper().getFactory().createGenerator(sw)) {
        start(g, now, kind, "pump", pump, reason);
        g.writeFieldName("record");
        if (record == null) {
          g.writeNull();
        } else {
          RecordJson.mapper().writeValue(g, record);
        }
        g.writeEndObject();
      }
      line = sw.toString();
    } catch (IOException | RuntimeException e) {
      fail(kind, pump, "cannot render the record: " + e);
      return;
    }
    append(now, line, kind, pump, counter);
  }

  private static void start(
      JsonGenerator g, Instant now, String kind, String whoField, String who, String reason)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("time", RecordJson.formatTime(now));
    g.writeStringField("kind", kind);
    g.writeStringField(whoField, who == null ? "" : who);
    g.writeStringField("reason", reason == null ? "" : reason);
  }

  /** Appends one line to the day's file with a single write. */
  private void append(Instant now, String json, String kind, String who, Counter counter) {
    byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
    LocalDate entryDay = LocalDate.ofInstant(now, ZoneOffset.UTC);
    synchronized (lock) {
      if (closed) {
        fail(kind, who, "the dead-letter queue is closed");
        return;
      }
      try {
        if (out == null || !entryDay.equals(day)) {
          closeFile();
          Files.createDirectories(directory);
          out =
              Files.newOutputStream(
                  directory.resolve(fileName(entryDay)),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.APPEND);
          day = entryDay;
        }
        out.write(line);
      } catch (IOException | RuntimeException e) {
        closeFile();
        fail(kind, who, "cannot write to " + directory.resolve(fileName(entryDay)) + ": " + e);
        return;
      }
    }
    written.incrementAndGet();
    if (counter != null) {
      counter.increment();
    }
  }

  private void closeFile() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.warn("closing dead-letter file for {}: {}", day, e.toString());
      }
      out = null;
      day = null;
    }
  }

  private void fail(String kind, String who, String why) {
    failures.incrementAndGet();
    if (failureCounter != null) {
      failureCounter.increment();
    }
    problems.warn("failure:" + kind, "dead-letter entry lost ({} from {}): {}", kind, who, why);
  }

  @Override
  public long written() {
    return written.get();
  }

  /** Entries that could not be written (including those after {@link #close()}). */
  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        LOG.warn("dead-letter queue in {} closed twice", directory);
        return;
      }
      closed = true;
      closeFile();
    }
  }
}
