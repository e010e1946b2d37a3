package io.pumpd.app.redis.stream;

import io.pumpd.app.redis.RedisLink;
import io.pumpd.core.delivery.DeliveryEngine;
import io.pumpd.core.pump.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * What a test drives: the core's delivery engine on a {@link StreamSource} and its Redis link,
 * stopped and closed the way the daemon does it.
 */
final class StreamEngine {
  private final DeliveryEngine engine;
  private final StreamSource source;
  private final RedisLink link;
  private boolean stopped;

  StreamEngine(DeliveryEngine engine, StreamSource source, RedisLink link) {
    this.engine = engine;
    this.source = source;
    this.link = link;
  }

  void start() {
    engine.start();
  }

  /** The daemon's shutdown: the engine stops (flushing the pumps), then the source. */
  DeliveryEngine.StopReport stop(Deadline deadline) {
    stopped = true;
    DeliveryEngine.StopReport report = engine.stop(deadline);
    source.close();
    return report;
  }

  /** Ends without a graceful stop (as a crash would, for what is held); closes Redis. */
  void close() {
    if (!stopped) {
      engine.stop(Deadline.after(Duration.ZERO));
    }
    source.close();
    link.close(Duration.ofSeconds(2));
  }

  List<String> notReadyReasons() {
    return engine.notReadyReasons();
  }

  Map<String, Map<String, Object>> status() {
    return engine.status();
  }

  Map<String, StreamMaintenance.Backlog> backlogs() {
    return source.backlogs();
  }

  List<StreamMaintenance.StreamState> maintainNow()
      throws ExecutionException, TimeoutException, InterruptedException {
    return source.maintainNow();
  }

  boolean redisAvailable() {
    return source.redisAvailable();
  }
}
