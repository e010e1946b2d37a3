package io.pumpd.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the gateway fixtures ({@code tyk-records-modern.bin}, ...) for benchmarks without the
 * pump-core test-jar, so the shaded {@code benchmarks.jar} runs on its own. The directory is the
 * {@code pump.fixtures.dir} system property, else {@code pump.shared.dir}/fixtures, else the first of
 * {@code ../shared/fixtures} and {@code ../../shared/fixtures} (relative to the working directory,
 * normally the checkout root) that holds them.
 */
public final class FixtureFiles {
  public static final String MODERN = "tyk-records-modern";
  /** The same kind of records as a gateway with {@code serializer_type: "protobuf"} writes them. */
  public static final String PROTOBUF = "tyk-records-protobuf";

  private FixtureFiles() {}

  /** The fixtures directory; fails loudly when none of the candidates exists. */
  public static Path dir() {
    List<Path> candidates = new ArrayList<>();
    String fixtures = System.getProperty("pump.fixtures.dir");
    if (fixtures != null) {
      candidates.add(Path.of(fixtures));
    }
    String shared = System.getProperty("pump.shared.dir");
    if (shared != null) {
      candidates.add(Path.of(shared, "fixtures"));
    }
    candidates.add(Path.of("..", "shared", "fixtures"));
    candidates.add(Path.of("..", "..", "shared", "fixtures"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p.resolve(MODERN + ".bin"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "fixtures not found (set -Dpump.fixtures.dir=DIR); tried " + candidates);
  }

  /** The length-prefixed elements (msgpack, or protobuf) of {@code name}.bin, in file order. */
  public static List<byte[]> elements(String name) {
    Path file = dir().resolve(name + ".bin");
    try {
      ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
      List<byte[]> out = new ArrayList<>();
      while (buf.remaining() >= 4) {
        byte[] element = new byte[buf.getInt()];
        buf.get(element);
        out.add(element);
      }
      if (buf.hasRemaining()) {
        throw new IllegalStateException(file + " has " + buf.remaining() + " trailing bytes");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
