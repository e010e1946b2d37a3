package io.pumpd.bench;

import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.codec.ProtobufRecordDecoder;
import io.pumpd.core.codec.RecordDecodeException;
import java.time.ZoneOffset;
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
 * Cost of decoding one gateway record from protobuf against msgpack, in the same run: {@code
 * protobuf} decodes the 1000 records of {@code tyk-records-protobuf.bin} ({@link
 * ProtobufRecordDecoder}), {@code msgpack} the 1000 records of {@code tyk-records-modern.bin}
 * ({@link MsgpackRecordDecoder}): the same records, record by record, less what protobuf does not
 * carry. {@code @OperationsPerInvocation} makes each score the average time per record. Target:
 * protobuf at most 1.5 times msgpack.
 *
 * <p>Run: {@code java -jar pump-bench/target/benchmarks.jar ProtobufVsMsgpack -f 1 -wi 3 -i 5 -t 1}.
 *
 * <p>Threading: JMH runs each benchmark thread on its own state ({@link Scope#Thread}), as the
 * decoders are not thread-safe.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProtobufVsMsgpackBenchmark {
  static final int RECORDS = 1000;

  private byte[][] msgpackElements;
  private byte[][] protobufElements;
  private MsgpackRecordDecoder msgpackDecoder;
  private ProtobufRecordDecoder protobufDecoder;

  /** Loads both fixtures and checks that every element decodes. */
  @Setup
  public void load() throws RecordDecodeException {
    msgpackElements = load(FixtureFiles.MODERN);
    protobufElements = load(FixtureFiles.PROTOBUF);
    msgpackDecoder = new MsgpackRecordDecoder();
    protobufDecoder = new ProtobufRecordDecoder(Long.MAX_VALUE, ZoneOffset.UTC);
    for (int i = 0; i < RECORDS; i++) {
      msgpackDecoder.decodeRecord(msgpackElements[i]);
      protobufDecoder.decodeRecord(protobufElements[i]);
    }
  }

  private static byte[][] load(String name) {
    List<byte[]> all = FixtureFiles.elements(name);
    if (all.size() != RECORDS) {
      throw new IllegalStateException("expected " + RECORDS + " records in " + name + ", found " + all.size());
    }
    return all.toArray(new byte[0][]);
  }

  /** Average time to decode one msgpack record (score is per record). */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void msgpack(Blackhole bh) throws RecordDecodeException {
    for (byte[] element : msgpackElements) {
      bh.consume(msgpackDecoder.decodeRecord(element));
    }
  }

  /** Average time to decode one protobuf record (score is per record). */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void protobuf(Blackhole bh) throws RecordDecodeException {
    for (byte[] element : protobufElements) {
      bh.consume(protobufDecoder.decodeRecord(element));
    }
  }
}
