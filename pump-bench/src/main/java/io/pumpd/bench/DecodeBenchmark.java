package io.pumpd.bench;

import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.codec.RecordDecodeException;
import io.pumpd.core.record.AnalyticsRecord;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of decoding one gateway record: each invocation decodes all 1000 modern fixture records
 * (real msgpack as the gateway writes it, ~1.5 KB average), and {@code @OperationsPerInvocation}
 * makes the reported score the average time per record.
 *
 * <p>Run: {@code java -jar pump-bench/target/benchmarks.jar Decode -f 1 -wi 3 -i 5 -t 1}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBenchmark {
  static final int RECORDS = 1000;

  private byte[][] elements;
  private MsgpackRecordDecoder decoder;

  @Setup
  public void load() {
    List<byte[]> all = FixtureFiles.elements(FixtureFiles.MODERN);
    if (all.size() != RECORDS) {
      throw new IllegalStateException("expected " + RECORDS + " modern records, found " + all.size());
    }
    elements = all.toArray(new byte[0][]);
    decoder = new MsgpackRecordDecoder();
  }

  /** Average time to decode one record (score is per record). */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void decodeRecord(Blackhole bh) throws RecordDecodeException {
    for (byte[] element : elements) {
      bh.consume(decoder.decodeRecord(element));
    }
  }

  /** Keeps the decoded records of one pass reachable, as a purge batch does. */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public AnalyticsRecord[] decodeBatchOf1000() throws RecordDecodeException {
    AnalyticsRecord[] out = new AnalyticsRecord[elements.length];
    for (int i = 0; i < elements.length; i++) {
      out[i] = decoder.decodeRecord(elements[i]);
    }
    return out;
  }
}
