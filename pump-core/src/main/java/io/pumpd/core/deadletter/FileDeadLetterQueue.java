package io.pumpd.core.deadletter;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.core.codec.MsgpackRecordEncoder;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.record.UptimeRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
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
 * {"time":"...","kind":"rejected","pump":"csv","reason":"...","render_error":"...","raw_base64":"..."}
 * </pre>
 *
 * <p>{@code raw_base64} is standard Base64 with padding: for {@code undecodable} the element's
 * exact bytes; for a record that cannot be rendered as JSON (the last form), the record
 * re-encoded in the gateway's msgpack format, with {@code render_error} saying why. {@code record}
 * is the record as {@link RecordJson} renders it. The day is taken from the time of the call.
 *
 * <p><b>Durability</b>: {@link #write} appends its entries and syncs the file ({@code fsync} of
 * the data) before it returns. When that fails (disk full, directory not writable), the file is
 * cut back to where it was, none of the call's entries is kept, the failure is logged at ERROR
 * (rate-limited), counted ({@code pump.deadletter.failures}), reported by {@link #problem()}
 * until a later write succeeds, and {@link DeadLetterException} is thrown. A line left incomplete
 * by a crash is ended with a newline before the next entry, so it never merges with one.
 *
 * <p><b>Memory</b>: raw bytes are Base64-encoded as they are written, never copied into a string,
 * so a large element costs its own bytes and a small buffer, not several copies.
 *
 * <p>Thread-safe: entries from concurrent callers never interleave (one lock). One daemon per
 * directory: concurrent writers from other processes are not coordinated.
 */
public final class FileDeadLetterQueue implements DeadLetterQueue {
  private static final Logger LOG = LoggerFactory.getLogger(FileDeadLetterQueue.class);

  static final String UNDECODABLE = "undecodable";
  static final String REJECTED = "rejected";
  static final String REJECTED_UPTIME = "rejected_uptime";
  private static final int BUFFER = 64 * 1024;
  private static final int KEEP_SCRATCH = 1 << 20;

  private final Path directory;
  private final Clock clock;
  private final ObjectMapper recordMapper;
  private final RateLimitedLogger problems = new RateLimitedLogger(LOG, Duration.ofSeconds(10));
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Counter undecodableCounter;
  private final Counter rejectedCounter;
  private final Counter rejectedUptimeCounter;
  private final Counter failureCounter;
  private volatile String problem;

  private final Object lock = new Object();
  private FileChannel channel; // guarded by lock
  private LocalDate day; // guarded by lock: the day of the open file
  private boolean closed; // guarded by lock
  private ByteArrayOutputStream scratch = new ByteArrayOutputStream(); // guarded by lock

  /** Without metrics. */
  public FileDeadLetterQueue(Path directory) {
    this(directory, null, Clock.systemUTC());
  }

  /** With metrics on {@code registry}. */
  public FileDeadLetterQueue(Path directory, MeterRegistry registry) {
    this(directory, registry, Clock.systemUTC());
  }

  /**
   * @param directory where the daily files go; created if missing (a failure is logged here and
   *     reported by the first write)
   * @param registry for the counters, or null for none
   * @param clock the time of entries and so the day of the file
   */
  public FileDeadLetterQueue(Path directory, MeterRegistry registry, Clock clock) {
    this(directory, registry, clock, RecordJson.mapper());
  }

  /** As above, rendering records with {@code recordMapper} (tests give one that fails). */
  FileDeadLetterQueue(Path directory, MeterRegistry registry, Clock clock,
      ObjectMapper recordMapper) {
    this.recordMapper = recordMapper;
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
  public void write(List<? extends DeadLetter> entries) throws DeadLetterException {
    if (entries.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    LocalDate entryDay = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Path file = directory.resolve(fileName(entryDay));
    synchronized (lock) {
      if (closed) {
        throw failed(entries.size(), file, "the dead-letter queue is closed", null);
      }
      long start = -1;
      try {
        FileChannel ch = channelFor(entryDay, file);
        start = ch.size();
        OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), BUFFER);
        for (DeadLetter e : entries) {
          render(out, RecordJson.formatTime(now), e);
          out.write('\n');
        }
        out.flush();
        ch.force(false);
      } catch (IOException | RuntimeException e) {
        rollBack(start);
        throw failed(entries.size(), file, e.toString(), e);
      } finally {
        if (scratch.size() > KEEP_SCRATCH) {
          scratch = new ByteArrayOutputStream();
        }
      }
    }
    problem = null;
    written.addAndGet(entries.size());
    for (DeadLetter e : entries) {
      Counter c = e instanceof DeadLetter.Undecodable ? undecodableCounter
          : e instanceof DeadLetter.Rejected ? rejectedCounter : rejectedUptimeCounter;
      if (c != null) {
        c.increment();
      }
    }
  }

  private void render(OutputStream out, String time, DeadLetter entry) throws IOException {
    if (entry instanceof DeadLetter.Undecodable u) {
      try (JsonGenerator g = generator(out)) {
        start(g, time, UNDECODABLE, "source", u.source(), u.reason());
        writeRaw(g, u.raw() == null ? new byte[0] : u.raw());
        g.writeEndObject();
      }
    } else if (entry instanceof DeadLetter.Rejected r) {
      renderRecord(out, time, REJECTED, r.pump(), r.record(), r.reason());
    } else if (entry instanceof DeadLetter.RejectedUptime r) {
      renderRecord(out, time, REJECTED_UPTIME, r.pump(), r.record(), r.reason());
    }
  }

  /**
   * A record entry: rendered first into a scratch buffer, so that a record that cannot be rendered
   * leaves nothing behind and is written in the fallback form instead.
   */
  private void renderRecord(OutputStream out, String time, String kind, String pump, Object record,
      String reason) throws IOException {
    scratch.reset();
    try (JsonGenerator g = generator(scratch)) {
      start(g, time, kind, "pump", pump, reason);
      g.writeFieldName("record");
      if (record == null) {
        g.writeNull();
      } else {
        recordMapper.writeValue(g, record);
      }
      g.writeEndObject();
    } catch (IOException | RuntimeException | StackOverflowError renderFailed) {
      scratch.reset();
      try (JsonGenerator g = generator(scratch)) {
        start(g, time, kind, "pump", pump, reason);
        g.writeStringField("render_error", String.valueOf(renderFailed));
        byte[] raw = reEncode(record);
        if (raw != null) {
          writeRaw(g, raw);
        }
        g.writeEndObject();
      }
    }
    scratch.writeTo(out);
  }

  /** The record in the gateway's msgpack format, or null when even that fails. */
  private static byte[] reEncode(Object record) {
    try {
      if (record instanceof AnalyticsRecord a) {
        return new MsgpackRecordEncoder().encode(a);
      }
      if (record instanceof UptimeRecord u) {
        return new MsgpackRecordEncoder().encode(u);
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot re-encode a dead-lettered record: {}", e.toString());
    }
    return null;
  }

  /** {@code "raw_base64": ...}, encoded while it is written (no copy of the bytes). */
  private static void writeRaw(JsonGenerator g, byte[] raw) throws IOException {
    g.writeFieldName("raw_base64");
    g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, new ByteArrayInputStream(raw), raw.length);
  }

  private static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator g = RecordJson.mapper().getFactory().createGenerator(out);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return g;
  }

  private static void start(
      JsonGenerator g, String time, String kind, String whoField, String who, String reason)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("time", time);
    g.writeStringField("kind", kind);
    g.writeStringField(whoField, who == null ? "" : who);
    g.writeStringField("reason", reason == null ? "" : reason);
  }

  /** The channel for {@code entryDay}'s file, opened for append; ends a torn last line. */
  private FileChannel channelFor(LocalDate entryDay, Path file) throws IOException {
    if (channel != null && entryDay.equals(day)) {
      return channel;
    }
    closeFile();
    Files.createDirectories(directory);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    try {
      if (ch.size() > 0 && !endsWithNewline(file)) {
        ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
      }
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    channel = ch;
    day = entryDay;
    return ch;
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = r.size();
      if (size == 0) {
        return true;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      r.read(last, size - 1);
      return last.get(0) == '\n';
    }
  }

  /** Cuts the file back to {@code size} after a failed write (best effort) and closes it. */
  private void rollBack(long size) {
    if (channel != null && size >= 0) {
      try {
        channel.truncate(size);
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot cut dead-letter file for {} back to {} bytes: {}", day, size, e.toString());
      }
    }
    closeFile();
  }

  private DeadLetterException failed(int n, Path file, String why, Throwable cause) {
    failures.addAndGet(n);
    if (failureCounter != null) {
      failureCounter.increment(n);
    }
    String message = "cannot write " + n + " dead-letter entr" + (n == 1 ? "y" : "ies") + " to "
        + file + ": " + why;
    problem = message;
    problems.error("write", "Dead-letter store failing: {}", message);
    return new DeadLetterException(message, cause);
  }

  private void closeFile() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.warn("closing dead-letter file for {}: {}", day, e.toString());
      }
      channel = null;
      day = null;
    }
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
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      closeFile();
    }
  }
}
