package io.pumpd.app.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health server's connection bookkeeping: admits connections up to the cap, keeps the open
 * ones (so that {@code stop()} can close them), counts the connections the server closed and why,
 * and warns about them at most once a minute. Thread-safe: called from every event-loop thread.
 *
 * <p>Meters: {@code pump_http_connections_open} and {@code
 * pump_http_connections_closed_total{reason}}.
 */
final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
  static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Why the server closed a connection. {@link #IDLE} is routine and never warned about. */
  enum CloseReason {
    /** The request line and headers were not complete within the request timeout. */
    REQUEST_TIMEOUT,
    /** A kept-alive connection sent no complete request within the idle timeout. */
    IDLE,
    /** The client did not take its response within the request timeout. */
    RESPONSE_TIMEOUT,
    /** The connection cap was reached: closed as soon as accepted. */
    OVER_LIMIT,
    /** The request line or the headers were larger than the limits (answered 431). */
    TOO_LARGE,
    /** Not HTTP, or malformed (answered 400). */
    BAD_REQUEST;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String where;
  private final HealthServer.Limits limits;
  private final ChannelGroup open;
  private final AtomicInteger openCount = new AtomicInteger();
  private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);
  private final AtomicLong lastWarn = new AtomicLong();
  private volatile boolean warnedOnce;

  /**
   * @param where the bound address, for the warning
   * @param executor notifies {@link #closeAll()}'s future (one of the server's event loops)
   */
  ConnectionGuard(String where, HealthServer.Limits limits, MeterRegistry meters,
      EventExecutor executor) {
    this.where = where;
    this.limits = limits;
    this.open = new DefaultChannelGroup("http", executor);
    for (CloseReason r : CloseReason.values()) {
      LongAdder n = new LongAdder();
      closed.put(r, n);
      FunctionCounter.builder("pump.http.connections.closed", n, LongAdder::doubleValue)
          .description("connections the health port closed, by reason")
          .tag("reason", r.tag())
          .register(meters);
    }
    Gauge.builder("pump.http.connections.open", openCount, AtomicInteger::get)
        .description("open connections to the health port")
        .register(meters);
  }

  /**
   * Admits a newly accepted connection, or counts it as over the limit; the caller closes a
   * connection that is not admitted.
   */
  boolean admit(Channel ch) {
    if (openCount.incrementAndGet() > limits.maxConnections()) {
      openCount.decrementAndGet();
      closedBecause(CloseReason.OVER_LIMIT);
      return false;
    }
    open.add(ch);
    ch.closeFuture().addListener(f -> openCount.decrementAndGet());
    return true;
  }

  /** Counts a connection the server closes, and warns (at most once a minute) unless idle. */
  void closedBecause(CloseReason reason) {
    closed.get(reason).increment();
    if (reason == CloseReason.IDLE) {
      return;
    }
    long now = System.nanoTime();
    long last = lastWarn.get();
    if (warnedOnce && now - last < WARN_INTERVAL_NANOS) {
      return;
    }
    if (!lastWarn.compareAndSet(last, now)) {
      return;
    }
    warnedOnce = true;
    LOG.warn("Health port {} closed a connection ({}); since start: {} sent no complete request"
            + " within {} ms, {} did not take a response within {} ms, {} over the limit of {}"
            + " connections, {} too large, {} malformed. Slow or misconfigured probes, or someone"
            + " holding connections open? (at most one such warning a minute; counts in"
            + " pump_http_connections_closed_total)",
        where, reason.tag(), count(CloseReason.REQUEST_TIMEOUT), limits.requestTimeout().toMillis(),
        count(CloseReason.RESPONSE_TIMEOUT), limits.requestTimeout().toMillis(),
        count(CloseReason.OVER_LIMIT), limits.maxConnections(), count(CloseReason.TOO_LARGE),
        count(CloseReason.BAD_REQUEST));
  }

  long count(CloseReason reason) {
    return closed.get(reason).sum();
  }

  int openConnections() {
    return openCount.get();
  }

  /** Closes every open connection. */
  ChannelGroupFuture closeAll() {
    return open.close();
  }
}
