package io.pumpd.sinks.stdout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.RenderedBatch;
import io.pumpd.core.pump.RetriablePumpException;
import io.pumpd.core.pump.UptimeCapable;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.record.UptimeRecord;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Tyk's {@code stdout} pump: one line per record on standard output, for log collectors. With
 * {@code format: json} a line is {@code {"level":"info","msg":"","time":"...","<log_field_name>":
 * <record>}} (the record as Tyk's JSON); otherwise a text line {@code time=... level=info
 * <log_field_name>=<record JSON>}. Uptime records are printed the same way under {@code
 * tyk-uptime-record}. A {@code write} returns when its lines are printed, so its stage is complete;
 * only when the reader of standard output stalls (the pipe is full) does a write return at its
 * deadline with its lines taken but not printed yet (its stage completes when they are), and the
 * next write waits until its own deadline for them, then refuses its batch ({@link
 * RetriablePumpException}). Printing happens on a thread of its own ({@link LinePrinter}), so that
 * {@link #close} releases a write waiting on a stalled reader.
 *
 * <p>The whole batch is rendered before anything is printed ({@link RenderedBatch}): a record that
 * cannot be rendered is reported as a failure of its own and the others are printed, once. Times
 * outside RFC 3339's years are printed as {@link RecordJson#formatTime} documents (Tyk's logger
 * drops such a record).
 *
 * <p>The daemon's own logs go to standard error, so standard output carries records only.
 */
public final class StdoutPump implements Pump, UptimeCapable {
  private static final ObjectMapper JSON = RecordJson.mapper();

  private final StdoutSettings settings;
  private final LinePrinter printer;
  private final Clock clock;
  private volatile boolean closed;

  public StdoutPump(StdoutSettings settings, PrintStream out, Clock clock) {
    this.settings = settings;
    this.printer = new LinePrinter(out);
    this.clock = clock;
  }

  @Override
  public void init(PumpContext context) {}

  @Override
  public CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline)
      throws PumpException {
    ensureOpen();
    RenderedBatch<String> rendered = RenderedBatch.render(records, "a stdout line", this::line);
    StringBuilder lines = new StringBuilder(records.size() * 1600);
    for (String line : rendered.values()) {
      lines.append(line);
    }
    return printer.print(lines, deadline).thenApply(printed -> rendered.result());
  }

  /** The line for one record (with its newline). */
  private String line(AnalyticsRecord r) throws PumpException {
    AnalyticsRecord shown = r;
    if (settings.json() && !settings.useLegacyPayloadFormat()
        && (!r.getRawRequest().isEmpty() || !r.getRawResponse().isEmpty())) {
      shown = r.copy()
          .setRawRequest(HttpPayloadCleaner.clean(r.getRawRequest()))
          .setRawResponse(HttpPayloadCleaner.clean(r.getRawResponse()));
    }
    StringBuilder b = new StringBuilder(1600);
    appendLine(b, settings.logFieldName(), shown);
    return b.toString();
  }

  @Override
  public void writeUptime(List<UptimeRecord> records, Deadline deadline) throws PumpException {
    ensureOpen();
    StringBuilder lines = new StringBuilder(records.size() * 400);
    for (UptimeRecord r : records) {
      appendLine(lines, "tyk-uptime-record", r);
    }
    if (!printer.print(lines, deadline).isDone()) {
      throw new RetriablePumpException("standard output did not take the uptime records before the deadline (its"
          + " reader is stalled); they may still be printed");
    }
  }

  private void appendLine(StringBuilder b, String field, Object record) throws PumpException {
    String body;
    try {
      body = JSON.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new PumpException("cannot render record as JSON: " + e.getOriginalMessage(), e);
    }
    String time = RecordJson.formatTime(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS)); // logrus: RFC 3339
    if (settings.json()) {
      b.append("{\"level\":\"info\",\"msg\":\"\",\"time\":\"").append(time).append("\",")
          .append(quote(field)).append(':').append(body).append("}\n");
    } else {
      b.append("time=\"").append(time).append("\" level=info ").append(field).append('=')
          .append(body).append('\n');
    }
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void ensureOpen() throws PumpException {
    if (closed) {
      throw new PumpException("stdout pump is closed");
    }
  }

  /** Waits until standard output took every line handed to it (each print is flushed). */
  @Override
  public void flush(Deadline deadline) throws PumpException {
    if (closed) {
      return;
    }
    if (!printer.awaitPrinted(deadline)) {
      throw new PumpException("standard output did not take the last batch before the flush deadline (its reader"
          + " is stalled)");
    }
  }

  /** Releases a write waiting for standard output; lines it had not taken may still come out. */
  @Override
  public void close() {
    closed = true;
    printer.close();
  }
}
