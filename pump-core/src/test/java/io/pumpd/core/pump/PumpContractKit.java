package io.pumpd.core.pump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.core.codec.MsgpackRecordEncoder;
import io.pumpd.core.pump.BoundedCall.Outcome;
import io.pumpd.core.pump.ContractWriter.Call;
import io.pumpd.core.pump.WriteResult.RecordFailure;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
import io.pumpd.core.testing.Fixtures;
import io.pumpd.core.testing.HostileRecords;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * The {@link Pump} contract as checks that every sink's tests run against the sink's real test
 * backend (an embedded server or a strict protocol stand-in, never a mock):
 *
 * <ol type="a">
 *   <li>a {@code write} after {@code close} throws {@link PumpException}, at once;
 *   <li>{@code close}, called from another thread while a {@code write} is blocked on the pump's
 *       back-pressure or on a backend that does not answer, makes that write return (or throw
 *       {@link RetriablePumpException}) within {@link #PROMPTLY}; every stage handed out completes,
 *       and no record is reported as rejected because of the close;
 *   <li>a {@code flush} after {@code close} returns within {@link #PROMPTLY}, doing nothing or
 *       throwing {@link PumpException};
 *   <li>{@code readiness} before {@code init}, after {@code close} and during a blocked write
 *       returns at once and never throws;
 *   <li>a record the backend rejects is a {@link RecordFailure} that is not {@linkplain
 *       RecordFailure#retriable() retriable} (or a {@link PumpException} for the whole batch), and
 *       an unavailable backend yields {@link RetriablePumpException}, an exceptional stage or
 *       retriable failures, never a rejection;
 *   <li>{@code close} is idempotent (also on a pump never initialised, as the daemon closes a pump
 *       whose {@code init} failed), and the records handed to {@code write} are left as they were.
 * </ol>
 *
 * <h2>Adopting it</h2>
 *
 * A sink gets one test class in its package, {@code <Sink>PumpContractTest extends
 * PumpContractKit}, of a few lines: a {@code @BeforeEach} starts the sink's usual test backend and
 * hands it to {@link #closeAfterEach} (the kit closes its pumps first, then those resources, in
 * reverse order); {@link #newPump()} builds an uninitialised pump pointed at that backend, the way
 * its factory does; {@link #stallBackend()} makes the backend hold writes (stop reading, answer
 * nothing, keep a lock) and returns what lets it go; {@link #rejectPermanently} and {@link
 * #makeBackendUnavailable()} arrange the two failures of check e. A case that cannot happen to the
 * sink is declared with {@link #notApplicable(String)} and a reason, which the report shows as a
 * skipped check; checks a to d apply to every sink, and a sink with no backend that can hold a
 * write (the {@code dummy} pump) returns {@link #nothingCanStall(String)} from {@link
 * #stallBackend()}, which runs check b as a race between writes and {@code close}. {@link
 * #context()} and {@link #batch()} may be overridden (a shorter timeout, records the backend
 * accepts). The kit's checks are inherited {@code @Test} methods, so nothing else is needed for
 * surefire to run them; a module other than pump-sinks adds pump-core's {@code test-jar} as a
 * test-scoped dependency first. Each check creates and initialises its own pumps and plays the
 * daemon's threads itself: every call into a pump runs on a thread of its own, bounded in time
 * (the pump's runner thread for writes, a shutdown thread for {@code close}).
 *
 * <p>A failure names the broken guarantee; a call that hangs fails with the stack of the thread
 * stuck in it.
 */
public abstract class PumpContractKit {

  /** How soon a call that must not wait returns, and how soon close releases a blocked write. */
  public static final Duration PROMPTLY = Duration.ofSeconds(5);

  /** How long {@code init} and {@code close} may take, even with the backend stalled. */
  public static final Duration CLOSE_WITHIN = Duration.ofSeconds(15);

  /** How long a write to a healthy backend may take, stage included. */
  public static final Duration WRITE_WITHIN = Duration.ofSeconds(60);

  /** A write in progress this long, with the backend stalled, counts as blocked. */
  public static final Duration BLOCKED_AFTER = Duration.ofMillis(500);

  /** The deadline of a write to an unavailable backend. */
  public static final Duration UNAVAILABLE_DEADLINE = Duration.ofSeconds(2);

  /** Writes check b hands over at most before a stalled backend must have blocked one. */
  static final int MAX_BATCHES = 10_000;

  /** A batch to write, and the records of it that the backend will reject for good. */
  public record Rejection(List<AnalyticsRecord> batch, List<AnalyticsRecord> rejected) {}

  /** What {@link #nothingCanStall} returns: nothing to release. */
  private record NoStall(String reason) implements AutoCloseable {
    @Override
    public void close() {}
  }

  private final List<Pump> pumps = new ArrayList<>();
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private List<AnalyticsRecord> fixtureBatch;

  // ---- what a sink's test supplies ----

  /** A new, uninitialised pump pointed at this test's backend, built as its factory builds it. */
  protected abstract Pump newPump() throws Exception;

  /**
   * Makes the backend hold the pump's writes (a receiver that stops reading, a server that does
   * not answer, a file another process keeps locked), so that a write blocks on back-pressure or
   * on the backend. Called on an initialised pump, before the writes.
   *
   * @return what releases the backend again; the kit closes it after the pump
   */
  protected abstract AutoCloseable stallBackend() throws Exception;

  /**
   * Arranges for the backend to reject some records of {@code batch} for good, or declares with
   * {@link #notApplicable} that nothing the sink sends can be rejected.
   *
   * @param batch {@link #batch()}; not to be modified (return copies in a new list instead)
   */
  protected abstract Rejection rejectPermanently(List<AnalyticsRecord> batch) throws Exception;

  /**
   * Makes the backend unavailable for now (down, refusing, busy past the write's deadline), or
   * declares with {@link #notApplicable} that the sink has no such state.
   *
   * @return what makes it available again; the kit closes it after the pump
   */
  protected abstract AutoCloseable makeBackendUnavailable() throws Exception;

  /** The context {@code init} gets: pump {@code contract}, a 10 s timeout, a fresh registry. */
  protected PumpContext context() {
    return new PumpContext("contract", "contract", Duration.ofSeconds(10), new SimpleMeterRegistry());
  }

  /** The batch the checks write: 20 records a gateway wrote ({@code fixtures/}). */
  protected List<AnalyticsRecord> batch() {
    if (fixtureBatch == null) {
      fixtureBatch = List.copyOf(Fixtures.records(Fixtures.MODERN).subList(0, 20));
    }
    return fixtureBatch;
  }

  /** Declares that a case of check e cannot happen to this sink, and why; skips that check. */
  protected static <T> T notApplicable(String reason) {
    return Assumptions.abort(reason);
  }

  /** For {@link #stallBackend()} of a sink whose writes cannot wait on anything, and why. */
  protected static AutoCloseable nothingCanStall(String reason) {
    return new NoStall(reason);
  }

  /** Closes {@code resource} after this check, after its pumps, in reverse order of registration. */
  protected final <T extends AutoCloseable> T closeAfterEach(T resource) {
    resources.push(resource);
    return resource;
  }

  // ---- the checks ----

  @Test
  @DisplayName("a. a write after close throws PumpException at once")
  void writeAfterCloseThrowsPumpException() throws Exception {
    for (Closed closed : closedPumps()) {
      assertWriteRefused(closed.pump(), "a write after close (" + closed.how() + ")");
    }
  }

  @Test
  @DisplayName("b. close from another thread makes a write blocked on a stalled backend return, and every stage complete")
  void closeReleasesABlockedWrite() throws Exception {
    Pump pump = started();
    AutoCloseable stall = closeAfterEach(required("stallBackend()", this::stallBackend));
    boolean race = stall instanceof NoStall;
    int cap = race ? Integer.MAX_VALUE : MAX_BATCHES; // a race: the writer runs until close stops it
    ContractWriter writer = ContractWriter.start(pump, batch(), cap);
    Long blocked = race ? awaitSomeWrites(writer, ((NoStall) stall).reason()) : awaitABlockedWrite(writer);
    if (!race) {
      assertReadinessAnswers(pump, "readiness() during a blocked write");
    }

    CompletableFuture<Outcome<Void>> closing = CompletableFuture.supplyAsync(
        () -> BoundedCall.within(CLOSE_WITHIN, "close() during a blocked write", () -> {
          pump.close();
          return null;
        }));
    try {
      writer.finished().get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      Assertions.fail("the write in progress when close() was called did not return within " + PROMPTLY.toMillis()
          + " ms of it; the runner thread is at\n" + writer.stack());
    }
    assertThat(closing.join().thrown()).as("close() threw").isNull();
    assertSettledByClose(writer.calls(), cap, blocked);
  }

  /**
   * What the writes of check b came to: the last (after close) threw {@link PumpException}, the one
   * close cut short (started at {@code blocked}, if any) returned or threw {@link
   * RetriablePumpException}, and every stage completed without a rejection.
   */
  private static void assertSettledByClose(List<Call> calls, int cap, Long blocked) {
    if (calls.size() < cap) {
      assertThat(calls.get(calls.size() - 1).thrown()).as("the write after close").isInstanceOf(PumpException.class);
    }
    calls.stream().filter(c -> blocked != null && c.startNanos() == blocked && c.thrown() != null)
        .forEach(c -> assertThat(c.thrown())
            .as("the write cut short by close(): its records were not rejected, so it throws RetriablePumpException"
                + " (a plain PumpException has them dead-lettered)")
            .isInstanceOf(RetriablePumpException.class));
    for (Call c : calls) {
      if (c.stage() != null) {
        Outcome<WriteResult> o = BoundedCall.completion(c.stage(), PROMPTLY, "a stage of a write taken before close()");
        if (o.value() != null) {
          assertThat(o.value().failures()).as("records failed by close() are not rejections")
              .allSatisfy(f -> assertThat(f.retriable()).as(f.reason()).isTrue());
        }
      }
    }
  }

  @Test
  @DisplayName("c. a flush after close returns at once, doing nothing or throwing PumpException")
  void flushAfterCloseReturnsPromptly() throws Exception {
    Pump pump = started();
    Outcome<?> write = BoundedCall.within(WRITE_WITHIN, "write()", () -> pump.write(batch(), Deadline.NONE));
    assertThat(write.thrown()).as("write to a healthy backend").isNull();
    closeWithin(pump, "close()");

    Outcome<Void> flush = BoundedCall.within(PROMPTLY, "flush(Deadline.NONE) after close", () -> {
      pump.flush(Deadline.NONE);
      return null;
    });

    if (flush.threw()) {
      assertThat(flush.thrown()).as("flush after close").isInstanceOf(PumpException.class);
    }
  }

  @Test
  @DisplayName("d. readiness before init and after close returns at once and never throws")
  void readinessAnswersAtAnyTime() throws Exception {
    Pump pump = created();
    assertReadinessAnswers(pump, "readiness() before init");
    initWithin(pump);
    assertReadinessAnswers(pump, "readiness() after init");
    closeWithin(pump, "close()");
    assertReadinessAnswers(pump, "readiness() after close");
  }

  @Test
  @DisplayName("e. a record the backend rejects is a failure that is not retriable; the others are delivered")
  void aRejectedRecordIsAPermanentFailure() throws Exception {
    Pump pump = started();
    Rejection rejection = rejectPermanently(batch());
    List<AnalyticsRecord> records = rejection.batch();

    Fate fate = settle(pump, records, Deadline.after(WRITE_WITHIN), WRITE_WITHIN);

    if (fate.thrown() != null) {
      assertThat(fate.thrown()).as("the batch rejected as a whole")
          .isInstanceOf(PumpException.class).isNotInstanceOf(RetriablePumpException.class);
      return;
    }
    assertThat(fate.stage().thrown()).as("the stage of a batch the backend answered").isNull();
    WriteResult result = fate.stage().value();
    assertThat(result.failures()).as("failures").hasSameSizeAs(rejection.rejected());
    for (AnalyticsRecord r : rejection.rejected()) {
      assertThat(result.failures()).as("the failure of a rejected record")
          .filteredOn(f -> f.record() == r).singleElement()
          .satisfies(f -> {
            assertThat(f.retriable()).as("retriable (%s)", f.reason()).isFalse();
            assertThat(f.reason()).as("reason").isNotBlank();
          });
    }
    assertThat(result.delivered()).as("records delivered").isEqualTo(records.size() - rejection.rejected().size());
  }

  @Test
  @DisplayName("e. an unavailable backend is a retriable failure, never a rejection")
  void anUnavailableBackendIsARetriableFailure() throws Exception {
    Pump pump = started();
    closeAfterEach(makeBackendUnavailable());

    Fate fate = settle(pump, batch(), Deadline.after(UNAVAILABLE_DEADLINE), UNAVAILABLE_DEADLINE.plus(PROMPTLY));

    if (fate.thrown() != null) {
      assertThat(fate.thrown()).as("what write threw while the backend was unavailable")
          .isInstanceOf(RetriablePumpException.class);
      return;
    }
    if (fate.stage().threw()) {
      return; // not delivered, may be retried
    }
    assertThat(fate.stage().value().failures()).as("records not delivered while the backend is unavailable")
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.retriable()).as("retriable (%s)", f.reason()).isTrue());
  }

  @Test
  @DisplayName("f. close is idempotent, initialised or not")
  void closeIsIdempotent() throws Exception {
    for (Closed closed : closedPumps()) {
      closeWithin(closed.pump(), "a second close() (" + closed.how() + ")");
    }
  }

  @Test
  @DisplayName("f. the records handed to write are left as they were")
  void recordsAreNotModified() throws Exception {
    Pump pump = started();
    List<AnalyticsRecord> records = HostileRecords.amongGood(batch());
    List<String> before = records.stream().map(PumpContractKit::rendering).toList();

    settle(pump, records, Deadline.after(WRITE_WITHIN), WRITE_WITHIN);

    List<String> after = records.stream().map(PumpContractKit::rendering).toList();
    for (int i = 0; i < records.size(); i++) {
      assertThat(after.get(i)).as("record %d (wire form and Tyk JSON) after write", i).isEqualTo(before.get(i));
    }
  }

  // ---- helpers ----

  @AfterEach
  final void closePumpsThenResources() throws Exception {
    AssertionError hung = null;
    for (Pump p : pumps) {
      try {
        closeWithin(p, "close() after the check");
      } catch (AssertionError e) {
        hung = hung == null ? e : hung;
      }
    }
    pumps.clear();
    Exception failed = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        failed = failed == null ? e : failed;
      }
    }
    if (hung != null) {
      throw hung;
    }
    if (failed != null) {
      throw failed;
    }
  }

  /** A pump closed once, and how it got there. */
  private record Closed(String how, Pump pump) {}

  /**
   * A pump closed after init, and one closed without it (as the daemon closes a pump whose {@code
   * init} failed).
   */
  private List<Closed> closedPumps() throws Exception {
    List<Closed> closed = List.of(new Closed("closed after init", started()),
        new Closed("closed without init", created()));
    for (Closed c : closed) {
      closeWithin(c.pump(), "close() (" + c.how() + ")");
    }
    return closed;
  }

  /** A new pump, closed after the check. */
  private Pump created() throws Exception {
    Pump p = newPump();
    pumps.add(p);
    return p;
  }

  /** A new, initialised pump, closed after the check. */
  private Pump started() throws Exception {
    Pump p = created();
    initWithin(p);
    return p;
  }

  private void initWithin(Pump p) {
    PumpContext context = context();
    Outcome<Void> init = BoundedCall.within(CLOSE_WITHIN, "init()", () -> {
      p.init(context);
      return null;
    });
    if (init.threw()) {
      Assertions.fail("init() against the test backend threw", init.thrown());
    }
  }

  private static void closeWithin(Pump p, String what) {
    Outcome<Void> close = BoundedCall.within(CLOSE_WITHIN, what, () -> {
      p.close();
      return null;
    });
    if (close.threw()) {
      Assertions.fail(what + " threw", close.thrown());
    }
  }

  private void assertWriteRefused(Pump p, String what) {
    Outcome<?> write = BoundedCall.within(PROMPTLY, what, () -> p.write(batch(), Deadline.NONE));
    assertThat(write.thrown()).as(what).isInstanceOf(PumpException.class);
  }

  private static void assertReadinessAnswers(Pump p, String what) {
    Outcome<Optional<String>> readiness = BoundedCall.within(PROMPTLY, what, p::readiness);
    assertThat(readiness.thrown()).as(what + " threw").isNull();
    assertThat(readiness.value()).as(what).isNotNull();
  }

  /** Waits until a write has been held by the stalled backend for {@link #BLOCKED_AFTER}; returns its start. */
  private static Long awaitABlockedWrite(ContractWriter writer) {
    await("a write held by the stalled backend").atMost(WRITE_WITHIN).pollInterval(Duration.ofMillis(50))
        .until(() -> writer.inCallFor().compareTo(BLOCKED_AFTER) >= 0 || writer.isFinished());
    if (writer.isFinished()) {
      List<Call> calls = writer.calls();
      Assertions.fail("the stalled backend held no write: " + calls.size() + " writes returned, the last "
          + calls.get(calls.size() - 1) + "; stallBackend() must make the backend hold writes");
    }
    return writer.inCallSince();
  }

  /** Waits until the writer has handed over some batches (a pump that nothing can stall); returns null. */
  private static Long awaitSomeWrites(ContractWriter writer, String whyNothingStalls) {
    await("a few writes to a pump nothing can stall (" + whyNothingStalls + ")").atMost(WRITE_WITHIN)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> writer.calls().size() >= 100 || writer.isFinished());
    return null;
  }

  /** A hook of checks a to d, which no sink may declare not applicable. */
  private static <T> T required(String hook, BoundedCall.Body<T> call) throws Exception {
    try {
      return call.run();
    } catch (TestAbortedException e) {
      return Assertions.fail(hook + " applies to every sink (" + e.getMessage() + "); a sink whose writes cannot"
          + " wait on anything returns nothingCanStall(reason)");
    }
  }

  /** What became of a batch: what {@code write} threw, or how its stage completed. */
  private record Fate(Throwable thrown, Outcome<WriteResult> stage) {}

  /**
   * Writes {@code records} as the daemon would and waits for their fate: the write returns within
   * {@code bound}, then a flush (as the core does when it needs buffered data out) and the stage
   * get the same time each.
   */
  private static Fate settle(Pump pump, List<AnalyticsRecord> records, Deadline deadline, Duration bound) {
    Outcome<CompletionStage<WriteResult>> write =
        BoundedCall.within(bound, "write()", () -> pump.write(records, deadline));
    if (write.threw()) {
      return new Fate(write.thrown(), null);
    }
    BoundedCall.within(bound, "flush()", () -> {
      pump.flush(Deadline.after(bound));
      return null;
    });
    return new Fate(null, BoundedCall.completion(write.value(), bound, "the stage of write()"));
  }

  /** Everything a record holds: its wire form and its Tyk JSON. */
  private static String rendering(AnalyticsRecord r) {
    return Base64.getEncoder().encodeToString(new MsgpackRecordEncoder().encode(r)) + "\n" + RecordJson.toJson(r);
  }
}
