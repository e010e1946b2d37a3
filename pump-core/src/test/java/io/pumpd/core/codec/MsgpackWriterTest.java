package io.pumpd.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The hand-written writer against msgpack-java, value for value at every format boundary: the same
 * bytes, so records encoded with it are what the gateway (and msgpack-java) would write.
 */
class MsgpackWriterTest {

  /** msgpack-java's packer, as a test-side reference. */
  @FunctionalInterface
  private interface Packing {
    void pack(MessageBufferPacker p) throws IOException;
  }

  private static byte[] reference(Packing packing) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      packing.pack(p);
      return p.toByteArray();
    }
  }

  private static byte[] written(Consumer<MsgpackWriter> writing) {
    MsgpackWriter w = new MsgpackWriter();
    writing.accept(w);
    return w.toByteArray();
  }

  @Test
  void integersTakeTheSameFormatAsMsgpackJavaAtEveryBoundary() throws IOException {
    List<Long> values = List.of(0L, 1L, 127L, 128L, 255L, 256L, 65_535L, 65_536L, 4_294_967_295L,
        4_294_967_296L, Long.MAX_VALUE, -1L, -32L, -33L, -128L, -129L, -32_768L, -32_769L,
        -2_147_483_648L, -2_147_483_649L, Long.MIN_VALUE);
    for (long v : values) {
      assertThat(written(w -> w.integer(v))).as("%d", v).isEqualTo(reference(p -> p.packLong(v)));
    }
  }

  @Test
  void stringsTakeTheSameFormatAsMsgpackJavaAtEveryLength() throws IOException {
    for (int n : new int[] {0, 1, 31, 32, 255, 256, 65_535, 65_536, 70_000}) {
      String s = "a".repeat(n);
      assertThat(written(w -> w.string(s))).as("length %d", n).isEqualTo(reference(p -> p.packString(s)));
    }
    for (String s : List.of("é日本😀", "x\ud800y", "long\ud800".repeat(200), "€".repeat(100))) {
      assertThat(written(w -> w.string(s))).as(s).isEqualTo(reference(p -> p.packString(s)));
    }
  }

  @Test
  void headersScalarsAndNilMatchMsgpackJava() throws IOException {
    for (int n : new int[] {0, 15, 16, 65_535, 65_536}) {
      assertThat(written(w -> w.mapHeader(n))).as("map %d", n)
          .isEqualTo(reference(p -> p.packMapHeader(n)));
      assertThat(written(w -> w.arrayHeader(n))).as("array %d", n)
          .isEqualTo(reference(p -> p.packArrayHeader(n)));
    }
    for (double d : new double[] {0.0, -0.0, 1.2897, 1e300, Double.NaN, Double.NEGATIVE_INFINITY}) {
      assertThat(written(w -> w.float64(d))).as("%s", d).isEqualTo(reference(p -> p.packDouble(d)));
    }
    assertThat(written(w -> w.nil().bool(true).bool(false)))
        .isEqualTo(reference(p -> p.packNil().packBoolean(true).packBoolean(false)));
  }

  @Test
  void aNegativeSizeIsRefused() {
    assertThatThrownBy(() -> new MsgpackWriter().mapHeader(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
