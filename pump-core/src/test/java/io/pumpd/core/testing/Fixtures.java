package io.pumpd.core.testing;

import io.pumpd.core.codec.MsgpackRecordDecoder;
import io.pumpd.core.codec.RecordDecodeException;
import io.pumpd.core.record.AnalyticsRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real gateway-encoded records in {@code ../shared/fixtures}: {@code .bin} files of
 * length-prefixed msgpack (or, for {@link #PROTOBUF}, protobuf) elements and their {@code .jsonl}
 * twins. The directory comes from the
 * {@code pump.shared.dir} system property (set by the build), else {@code ../shared} next to the
 * checkout.
 */
public final class Fixtures {
  public static final String MODERN = "tyk-records-modern";
  public static final String LEGACY = "tyk-records-legacy";
  public static final String UPTIME = "tyk-uptime";
  /** Request records as a gateway with {@code serializer_type: "protobuf"} writes them. */
  public static final String PROTOBUF = "tyk-records-protobuf";

  private Fixtures() {}

  /** The fixtures directory; fails loudly when it is missing. */
  public static Path dir() {
    String prop = System.getProperty("pump.shared.dir");
    List<Path> candidates = new ArrayList<>();
    if (prop != null) {
      candidates.add(Path.of(prop, "fixtures"));
    }
    candidates.add(Path.of("..", "shared", "fixtures"));
    candidates.add(Path.of("..", "..", "shared", "fixtures"));
    for (Path p : candidates) {
      if (Files.isDirectory(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("fixtures directory not found; tried " + candidates);
  }

  /** The raw msgpack elements of {@code name}.bin, in order, as Redis list elements. */
  public static List<byte[]> raw(String name) {
    try {
      ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(dir().resolve(name + ".bin")));
      List<byte[]> out = new ArrayList<>();
      while (buf.remaining() >= 4) {
        int len = buf.getInt();
        byte[] element = new byte[len];
        buf.get(element);
        out.add(element);
      }
      if (buf.hasRemaining()) {
        throw new IllegalStateException(name + ".bin has " + buf.remaining() + " trailing bytes");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The expected JSON lines of {@code name}.jsonl, in order. */
  public static List<String> jsonLines(String name) {
    try {
      return Files.readAllLines(dir().resolve(name + ".jsonl"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The decoded request records of {@code name} (modern or legacy). */
  public static List<AnalyticsRecord> records(String name) {
    MsgpackRecordDecoder decoder = new MsgpackRecordDecoder();
    List<AnalyticsRecord> out = new ArrayList<>();
    for (byte[] b : raw(name)) {
      try {
        out.add(decoder.decodeRecord(b));
      } catch (RecordDecodeException e) {
        throw new IllegalStateException("fixture " + name + " does not decode: " + e.getMessage(), e);
      }
    }
    return out;
  }
}
