package io.pumpd.core.delivery;

import io.pumpd.core.deadletter.DeadLetter;
import io.pumpd.core.engine.DeliveryOutcome;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A kind of record the engine carries from a source to the pumps: which pumps accept it, how a
 * batch of it is handed to a pump, and what its dead letters look like. The source says the kind
 * of each batch (from the key it read); the engine needs nothing else to carry a new kind.
 *
 * <p>Adding a kind (graph or MCP projections, say): a constant here, a decoder for its elements
 * (the source's {@link BatchDecoding}), and the pumps' capability to take it.
 */
public enum RecordKind {

  /** Request analytics ({@link AnalyticsRecord}), msgpack or protobuf: every pump takes them. */
  ANALYTICS {
    @Override
    public boolean acceptedBy(PumpRunner runner) {
      return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    CompletableFuture<DeliveryOutcome> deliver(PumpRunner runner, List<?> records,
        Duration stallLimit, int attempt, boolean redeliverable) {
      return runner.deliver((List<AnalyticsRecord>) records, stallLimit, attempt, redeliverable);
    }

    @Override
    DeadLetter deadLetter(String pump, Object record, String reason) {
      return new DeadLetter.Rejected(pump, (AnalyticsRecord) record, reason);
    }
  },

  /** Host-checker uptime reports ({@link UptimeRecord}): only uptime-capable pumps take them. */
  UPTIME {
    @Override
    public boolean acceptedBy(PumpRunner runner) {
      return runner.acceptsUptime();
    }

    @Override
    @SuppressWarnings("unchecked")
    CompletableFuture<DeliveryOutcome> deliver(PumpRunner runner, List<?> records,
        Duration stallLimit, int attempt, boolean redeliverable) {
      return CompletableFuture.completedFuture(
          runner.deliverUptime((List<UptimeRecord>) records, redeliverable));
    }

    @Override
    DeadLetter deadLetter(String pump, Object record, String reason) {
      return new DeadLetter.RejectedUptime(pump, (UptimeRecord) record, reason);
    }
  };

  /** Whether {@code runner}'s pump takes records of this kind (known before it is initialised). */
  public abstract boolean acceptedBy(PumpRunner runner);

  /**
   * One attempt to deliver {@code records} (of this kind) through {@code runner}: blocks the
   * calling thread until the pump took them (bounded by the pump's timeout); the stage completes,
   * never exceptionally, once they are settled or known to need another attempt ({@link
   * PumpRunner#deliver(List, Duration, int, boolean)} says when, for records {@code
   * redeliverable} or not).
   */
  abstract CompletableFuture<DeliveryOutcome> deliver(PumpRunner runner, List<?> records,
      Duration stallLimit, int attempt, boolean redeliverable);

  /** The dead letter for one record of this kind that {@code pump} could not deliver. */
  abstract DeadLetter deadLetter(String pump, Object record, String reason);

  /** Dead letters for all of {@code records}, with one reason. */
  List<DeadLetter> deadLetters(String pump, List<?> records, String reason) {
    List<DeadLetter> out = new ArrayList<>(records.size());
    for (Object r : records) {
      out.add(deadLetter(pump, r, reason));
    }
    return out;
  }
}
