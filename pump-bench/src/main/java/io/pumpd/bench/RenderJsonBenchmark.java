package io.pumpd.bench;

import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.codec.RecordDecodeException;
import io.pumpd.core.record.AnalyticsRecord;
import io.pumpd.core.record.RecordJson;
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
 * Cost of rendering one decoded record as Tyk's JSON ({@link RecordJson#toJson}), what JSON
 * emitting sinks pay per record. Each invocation renders the 1000 modern fixture records; the
 * score is per record.
 *
 * <p>Run: {@code java -jar pump-bench/target/benchmarks.jar RenderJson -f 1 -wi 3 -i 5 -t 1}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderJsonBenchmark {
  private AnalyticsRecord[] records;

  @Setup
  public void load() throws RecordDecodeException {
    List<byte[]> all = FixtureFiles.elements(FixtureFiles.MODERN);
    MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();
    records = new AnalyticsRecord[all.size()];
    for (int i = 0; i < records.length; i++) {
      records[i] = decoder.decodeRecord(all.get(i));
    }
    if (records.length != DecodeBenchmark.RECORDS) {
      throw new IllegalStateException("expected " + DecodeBenchmark.RECORDS + " records");
    }
  }

  /** Average time to render one record to a JSON string (score is per record). */
  @Benchmark
  @OperationsPerInvocation(DecodeBenchmark.RECORDS)
  public void renderJson(Blackhole bh) {
    for (AnalyticsRecord r : records) {
      bh.consume(RecordJson.toJson(r));
    }
  }
}
