package io.pumpd.sinks.elasticsearch;

import io.pumpd.core.pump.Deadline;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.WriteResult;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * How documents get to Elasticsearch: through the bulk ingester ({@link BulkWriter}) or one index
 * request per record ({@link SyncWriter}, {@code disable_bulk}). Same threading and delivery
 * contract as {@link io.pumpd.core.pump.Pump}.
 */
interface DocumentWriter {

  /** See {@link io.pumpd.core.pump.Pump#write}. */
  CompletionStage<WriteResult> write(List<AnalyticsRecord> records, Deadline deadline) throws PumpException;

  /** See {@link io.pumpd.core.pump.Pump#flush}. */
  void flush(Deadline deadline) throws PumpException;

  /**
   * Stops taking documents, makes a blocked {@code write} return, releases the writer's resources
   * (not the connection) and fails what was never answered. Idempotent.
   */
  void close();
}
