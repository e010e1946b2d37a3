package io.pumpd.app.doctor;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pumpd.app.PumpRegistry;
import io.pumpd.core.config.LoadedPump;
import io.pumpd.core.pump.Pump;
import io.pumpd.core.pump.PumpContext;
import io.pumpd.core.pump.PumpException;
import io.pumpd.core.pump.PumpFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Each configured sink's reachability and health, as the daemon would see it: the pump is created
 * and initialized exactly as the daemon does, its {@link Pump#readiness()} is watched until it is
 * ready or {@code wait} has passed, and it is closed again. No record is written; initializing
 * may do what the daemon does at start (install the Elasticsearch index template, look up the
 * InfluxDB bucket). A fire-and-forget sink (DogStatsD over UDP) is ready as soon as its socket is.
 */
final class SinkChecks {
  private static final Duration POLL = Duration.ofMillis(200);

  private final PumpRegistry registry;
  private final Duration wait;

  SinkChecks(PumpRegistry registry, Duration wait) {
    this.registry = registry;
    this.wait = wait;
  }

  List<Finding> run(Collection<LoadedPump> pumps) {
    List<Finding> out = new ArrayList<>();
    for (LoadedPump p : pumps) {
      out.add(check(p));
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Finding check(LoadedPump p) {
    String subject = p.name() + " (" + p.type() + ")";
    PumpFactory factory = registry.factory(p.type()).orElse(null);
    if (factory == null) {
      return Finding.fail("sink", subject, "unknown pump type");
    }
    Pump pump = factory.create(p.name(), p.settings());
    try {
      pump.init(new PumpContext(p.name(), p.type(),
          Duration.ofSeconds(Math.max(0, p.entry().timeoutSeconds())), new SimpleMeterRegistry()));
      long end = System.nanoTime() + wait.toNanos();
      Optional<String> reason = pump.readiness();
      while (reason.isPresent() && System.nanoTime() - end < 0) {
        Thread.sleep(POLL.toMillis()); // polling the pump's own state; nothing to wait on
        reason = pump.readiness();
      }
      return reason.map(r -> Finding.fail("sink", subject, "not ready after " + wait.toSeconds()
              + " s: " + r))
          .orElseGet(() -> Finding.ok("sink", subject, "ready"));
    } catch (PumpException | RuntimeException e) {
      return Finding.fail("sink", subject, "cannot start: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Finding.fail("sink", subject, "check interrupted");
    } finally {
      try {
        pump.close();
      } catch (RuntimeException e) {
        // closing a pump that failed its check: nothing more to report
      }
    }
  }
}
