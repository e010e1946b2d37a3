package io.pumpd.app.redis.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.app.redis.AnalyticsKeys;
import io.pumpd.app.redis.RedisConnectionFactory;
import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.config.PumpEntry;
import io.pumpd.core.config.StorageConfig;
import io.pumpd.app.redis.ElementDecoding;
import io.pumpd.core.codec.BatchDecoder;
import io.pumpd.core.delivery.BatchDecoding;
import io.pumpd.core.delivery.DeliveryEngine;
import io.pumpd.core.engine.PumpRunner;
import io.pumpd.core.engine.RecordPreparer;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.retry.Backoff;
import io.pumpd.core.testing.RecordingDeadLetters;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.pumpd.core.deadletter.RateLimitedLogger;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;

/** Builds at_least_once engines with short, test-sized timings against a test Redis. */
final class TestEngines {
  static final ObjectMapper JSON = new ObjectMapper();
  static final AnalyticsKeys KEYS = AnalyticsKeys.withPrefix("analytics-");
  static final String BASE = KEYS.analytics().get(0);

  private final String storageJson;
  private final List<StreamEngine> engines = new ArrayList<>();

  private TestEngines(String storageJson) {
    this.storageJson = storageJson;
  }

  static TestEngines standalone(int port) {
    return new TestEngines("{\"host\":\"127.0.0.1\",\"port\":" + port + ",\"timeout\":2}");
  }

  static TestEngines cluster(List<String> addresses) {
    return new TestEngines("{\"enable_cluster\":true,\"timeout\":2,\"addrs\":["
        + String.join(",", addresses.stream().map(a -> "\"" + a + "\"").toList()) + "]}");
  }

  /** An engine builder: add pumps, then {@link Builder#start()}. */
  Builder engine(String consumerName) {
    return new Builder(consumerName);
  }

  final class Builder {
    private final String consumerName;
    private final Map<String, Pump> pumps = new LinkedHashMap<>();
    private final Map<String, PumpEntry> entries = new LinkedHashMap<>();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
    private Duration pumpTimeout = Duration.ofSeconds(5);
    private Duration lease = Duration.ofSeconds(3);
    private long defaultMaxRecords = 1_000_000;
    private long maxInFlightBytes = 4L << 20;
    private int entryRecords = 500;
    private UnaryOperator<BatchDecoding> decodingWrapper = UnaryOperator.identity();

    private Builder(String consumerName) {
      this.consumerName = consumerName;
    }

    Builder pump(String name, Pump pump) {
      return pump(name, pump, "{}");
    }

    Builder pump(String name, Pump pump, String entryJson) {
      pumps.put(name, pump);
      try {
        entries.put(name, JSON.readValue(entryJson, PumpEntry.class));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Builder pumpTimeout(Duration d) {
      pumpTimeout = d;
      return this;
    }

    Builder lease(Duration d) {
      lease = d;
      return this;
    }

    Builder defaultMaxRecords(long n) {
      defaultMaxRecords = n;
      return this;
    }

    Builder maxInFlightBytes(long n) {
      maxInFlightBytes = n;
      return this;
    }

    Builder entryRecords(int n) {
      entryRecords = n;
      return this;
    }

    /** Wraps the engine's decoding, e.g. to hold it between reading and handing over. */
    Builder decoding(UnaryOperator<BatchDecoding> wrapper) {
      decodingWrapper = wrapper;
      return this;
    }

    MeterRegistry meters() {
      return meters;
    }

    RecordingDeadLetters deadLetters() {
      return deadLetters;
    }

    StreamEngine build() {
      StorageConfig storage;
      try {
        storage = JSON.readValue(storageJson, StorageConfig.class);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      RedisLink link = RedisConnectionFactory.create(storage).open();
      List<PumpRunner> runners = new ArrayList<>();
      pumps.forEach((name, pump) -> runners.add(new PumpRunner(name, "test", pump,
          new RecordPreparer(entries.get(name), 0, false), pumpTimeout, Duration.ZERO,
          deadLetters, meters)));
      StreamSource.Settings settings = new StreamSource.Settings(consumerName, lease,
          Duration.ofMillis(50), Duration.ofSeconds(3), entryRecords, Duration.ofMillis(100),
          new StreamMaintenance.GroupBound("", defaultMaxRecords, 0));
      Map<String, StreamMaintenance.GroupBound> bounds = new LinkedHashMap<>();
      entries.forEach((name, entry) -> bounds.put(name, new StreamMaintenance.GroupBound(name,
          entry.maxBacklogRecords() > 0 ? entry.maxBacklogRecords() : defaultMaxRecords,
          entry.maxBacklogBytes())));
      StreamSource source = new StreamSource(link,
          KEYS.readOrder().stream().map(k -> StreamKeys.of(k, ":pumpd", false)).toList(),
          StreamKeys.of(KEYS.uptime(), ":pumpd", true), true, bounds, settings, meters);
      BatchDecoding decoding = decodingWrapper.apply(
          new ElementDecoding(new BatchDecoder(deadLetters, meters,
              new RateLimitedLogger(LoggerFactory.getLogger(TestEngines.class), Duration.ofSeconds(10)),
              Long.MAX_VALUE, ZoneOffset.UTC), KEYS));
      DeliveryEngine engine = new DeliveryEngine(source, decoding, runners, deadLetters,
          new DeliveryEngine.Settings(maxInFlightBytes, Duration.ofSeconds(10),
              new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)), Duration.ofMillis(50),
              Duration.ofSeconds(5)), meters);
      StreamEngine e = new StreamEngine(engine, source, link);
      engines.add(e);
      return e;
    }

    StreamEngine start() {
      StreamEngine e = build();
      e.start();
      return e;
    }
  }

  /** Closes every engine built (without a graceful stop). */
  void closeAll() {
    engines.forEach(StreamEngine::close);
  }
}
