package io.pumpd.sinks.elasticsearch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The pump's meters, tagged {@code pump=<name>, type=elasticsearch}:
 *
 * <ul>
 *   <li>{@code pump.sink.documents.sent}: documents Elasticsearch acknowledged;
 *   <li>{@code pump.sink.documents.failed}: documents rejected or given up on (dead-lettered);
 *   <li>{@code pump.sink.documents.retried}: document re-sends after a failed request or a
 *       retriable per-document status;
 *   <li>{@code pump.sink.bulk.pending.operations}: documents buffered in the bulk ingester, not sent
 *       yet; {@code pump.sink.bulk.pending.requests}: bulk requests in flight;
 *   <li>{@code pump.sink.documents.unacknowledged}: documents taken by {@code write} and not resolved
 *       yet; {@code pump.sink.buffer.bytes}: bytes they hold against the buffer budget.
 * </ul>
 *
 * Thread-safe. {@link #remove} unregisters everything at close.
 */
final class ElasticsearchPumpMetrics {
  private final MeterRegistry registry;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter sent;
  private final Counter failed;
  private final Counter retried;

  ElasticsearchPumpMetrics(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tags = tags;
    this.sent = counter("pump.sink.documents.sent", "documents acknowledged by Elasticsearch");
    this.failed = counter("pump.sink.documents.failed", "documents rejected or given up on");
    this.retried = counter("pump.sink.documents.retried", "document re-sends");
  }

  private Counter counter(String name, String description) {
    Counter c = Counter.builder(name).description(description).tags(tags).register(registry);
    meters.add(c);
    return c;
  }

  /** Registers a gauge read from {@code value}. */
  synchronized void gauge(String name, String description, Supplier<Number> value) {
    meters.add(Gauge.builder(name, value).description(description).tags(tags).register(registry));
  }

  void sent(int n) {
    sent.increment(n);
  }

  void failed(int n) {
    failed.increment(n);
  }

  void retried(int n) {
    retried.increment(n);
  }

  double sentTotal() {
    return sent.count();
  }

  double failedTotal() {
    return failed.count();
  }

  synchronized void remove() {
    meters.forEach(registry::remove);
    meters.clear();
  }
}
