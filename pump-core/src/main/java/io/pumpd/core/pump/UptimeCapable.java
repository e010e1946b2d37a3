package io.pumpd.core.pump;

import io.pumpd.core.record.UptimeRecord;
import java.util.List;

/**
 * Optional capability of a {@link Pump} that also accepts host-checker uptime records (Tyk sends
 * those to a dedicated Mongo or SQL uptime pump). The uptime key is drained only while at least one
 * configured pump implements this, so uptime data is never popped with nowhere to go.
 *
 * <p>Called from the pump's runner thread, like {@link Pump#write}.
 */
public interface UptimeCapable {

  /**
   * Writes uptime records synchronously.
   *
   * @throws PumpException the records were not written; the core dead-letters them
   */
  void writeUptime(List<UptimeRecord> records, Deadline deadline) throws PumpException;
}
