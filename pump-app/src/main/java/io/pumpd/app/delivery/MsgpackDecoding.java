package io.pumpd.app.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.codec.RecordDecodeException;
import io.pumpd.core.deadletter.DeadLetterQueue;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.UptimeRecord;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RecordDecoding} with the gateway's msgpack format ({@link MsgpackRecordDecoder}). Counts
 * undecodable elements ({@code pump.records.undecodable}) and, if asked to, dead-letters them and
 * logs the first one of each kind of error.
 */
public final class MsgpackDecoding implements RecordDecoding {
  private static final Logger LOG = LoggerFactory.getLogger(MsgpackDecoding.class);

  private final MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();
  private final DeadLetterQueue deadLetters;
  private final boolean deadLetterUndecodable;
  private final Counter undecodable;
  private String lastLogged;

  private MsgpackDecoding(DeadLetterQueue deadLetters, boolean deadLetterUndecodable,
      MeterRegistry meters) {
    this.deadLetters = deadLetters;
    this.deadLetterUndecodable = deadLetterUndecodable;
    this.undecodable = meters.counter("pump.records.undecodable");
  }

  /** A factory of msgpack decodings writing to {@code deadLetters}. */
  public static Factory factory(DeadLetterQueue deadLetters, MeterRegistry meters) {
    return deadLetter -> new MsgpackDecoding(deadLetters, deadLetter, meters);
  }

  @Override
  public List<AnalyticsRecord> records(String key, List<byte[]> raw) {
    List<AnalyticsRecord> out = new ArrayList<>(raw.size());
    for (byte[] element : raw) {
      try {
        out.add(decoder.decodeRecord(element));
      } catch (RecordDecodeException e) {
        reject(key, element, e);
      }
    }
    return out;
  }

  @Override
  public List<UptimeRecord> uptime(String key, List<byte[]> raw) {
    List<UptimeRecord> out = new ArrayList<>(raw.size());
    for (byte[] element : raw) {
      try {
        out.add(decoder.decodeUptime(element));
      } catch (RecordDecodeException e) {
        reject(key, element, e);
      }
    }
    return out;
  }

  private void reject(String key, byte[] element, RecordDecodeException e) {
    if (!deadLetterUndecodable) {
      return; // the dead-lettering consumer of the same entry counts and keeps it
    }
    undecodable.increment();
    deadLetters.undecodable(key, element, e.getMessage());
    String kind = String.valueOf(e.getMessage()).replaceAll("\\d+", "N");
    if (!kind.equals(lastLogged)) {
      lastLogged = kind;
      LOG.warn("Undecodable record in {} (dead-lettered; similar ones are only counted): {}",
          key, e.getMessage());
    }
  }
}
