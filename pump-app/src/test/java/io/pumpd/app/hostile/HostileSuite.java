package io.pumpd.app.hostile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.models.stream.PendingMessages;
import io.pumpd.app.testing.DaemonEnv;
import io.pumpd.app.testing.DaemonProcess;
import io.pumpd.app.testing.RedisFeeder;
import io.pumpd.core.testing.RedisServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the hostile suite's process tests share: a real {@code redis-server} per class (flushed
 * before each test), a work directory, the daemon's common environment ({@link DaemonEnv}: env
 * only, dead letters under {@code work/dead-letter}), and readers for what a test asserts on:
 * the HTTP endpoints, the dead-letter files, and what is still pending in Redis.
 */
abstract class HostileSuite {
  /** Reads dead-letter lines, whose {@code raw_base64} may be tens of megabytes. */
  static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE)
          .build())
      .build());
  static final String KEY = RedisFeeder.BASE_KEY;
  static final String STREAM = "{" + KEY + "}:pumpd";
  static RedisServerProcess redis;

  @TempDir Path work;
  RedisFeeder feeder;
  int httpPort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void connect() throws IOException {
    feeder = new RedisFeeder(redis.host(), redis.port());
    feeder.commands().flushall();
    httpPort = RedisServerProcess.freePort();
  }

  @AfterEach
  void disconnect() {
    feeder.close();
  }

  /** The common environment, with this test's health port. */
  Map<String, String> env() {
    Map<String, String> env = DaemonEnv.base(redis, work);
    env.put("TYK_PMP_HEALTHCHECKENDPOINTPORT", String.valueOf(httpPort));
    return env;
  }

  /**
   * {@link #env()} with a {@code stdout} pump printing Tyk's JSON lines (read back with {@link
   * #printedKeys}).
   */
  Map<String, String> stdoutEnv() {
    Map<String, String> env = env();
    env.put("TYK_PMP_PUMPS_STDOUT_TYPE", "stdout");
    env.put("TYK_PMP_PUMPS_STDOUT_META_FORMAT", "json");
    return env;
  }

  /** An HTTP answer of the daemon's health port. */
  record Answer(int status, String body) {}

  /** {@code GET /<path>} on the daemon's health port; status -1 when it does not answer. */
  Answer get(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + httpPort + "/" + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, "interrupted");
    }
  }

  Path deadLetterDir() {
    return work.resolve("dead-letter");
  }

  /**
   * Every complete dead-letter entry of {@code kind} in {@code work/dead-letter} (an entry still
   * being written is not read yet). Read as a stream, so that entries with tens of megabytes of
   * {@code raw_base64} cost the test JVM little: {@code raw_base64} is replaced by {@code
   * raw_sha256} and {@code raw_length} of the decoded bytes, and kept as well when they are small
   * (64 KiB at most).
   */
  List<JsonNode> deadLetters(String kind) {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(deadLetterDir())) {
      return out;
    }
    try (Stream<Path> files = Files.list(deadLetterDir())) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("dead-letter-"))
          .sorted().toList()) {
        try (InputStream in = Files.newInputStream(f); JsonParser p = JSON.createParser(in)) {
          ObjectNode e;
          while ((e = nextEntry(p)) != null) {
            if (kind.equals(e.path("kind").asText())) {
              out.add(e);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The next entry of a dead-letter file, or null at its end (or at an incomplete entry). */
  private static ObjectNode nextEntry(JsonParser p) throws IOException {
    try {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      ObjectNode e = JSON.createObjectNode();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("raw_base64")) {
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          ByteArrayOutputStream small = new ByteArrayOutputStream();
          long[] length = {0};
          p.readBinaryValue(new OutputStream() {
            @Override
            public void write(int b) {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
              sha.update(b, off, len);
              length[0] += len;
              if (small.size() + len <= (64 << 10)) {
                small.write(b, off, len);
              }
            }
          });
          e.put("raw_sha256", HexFormat.of().formatHex(sha.digest()));
          e.put("raw_length", length[0]);
          if (length[0] <= (64 << 10)) {
            e.put("raw_base64", Base64.getEncoder().encodeToString(small.toByteArray()));
          }
        } else {
          e.set(name, JSON.readTree(p));
        }
      }
      return e;
    } catch (JsonProcessingException incomplete) {
      return null; // the last entry, still being written
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Entries of the base analytics list's stream that {@code group} read and did not acknowledge
   * (0 when the stream or the group does not exist).
   */
  long pending(String group) {
    try {
      PendingMessages p = feeder.commands().xpending(STREAM, group);
      return p.getCount();
    } catch (io.lettuce.core.RedisCommandExecutionException e) {
      return 0; // NOGROUP / no such key
    }
  }

  /** Api keys of the records the stdout pump printed. */
  static List<String> printedKeys(DaemonProcess d) {
    List<String> keys = new ArrayList<>();
    for (String line : d.stdout()) {
      try {
        keys.add(JSON.readTree(line).path("tyk-analytics-record").path("api_key").asText());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return keys;
  }
}
