package io.pumpd.app.lifecycle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Whether the daemon should receive traffic-related trust (Kubernetes readiness): pumps
 * initialized, Redis reachable, not draining, and every pump able to deliver. Thread-safe: flags
 * are volatile and checks are evaluated on demand.
 */
public final class Readiness {
  private volatile boolean initialized;
  private volatile boolean draining;
  private final List<Supplier<List<String>>> checks = new ArrayList<>();
  private final Map<String, Supplier<?>> details = new LinkedHashMap<>();

  /**
   * Adds a check that returns the reasons it is not ready (empty when ready). Call before start.
   * The check runs on the HTTP server's event loop for every {@code /ready}: it must be cheap,
   * thread-safe and never block (read state other threads maintain; no I/O).
   */
  public synchronized void addCheck(Supplier<List<String>> check) {
    checks.add(check);
  }

  /**
   * Adds a section shown in the readiness answer whatever the status (e.g. {@code delivery}: each
   * pump's backlog and lag). Call before start; the supplier must be cheap, thread-safe and
   * non-blocking (it runs on the HTTP server's event loop).
   */
  public synchronized void addDetail(String name, Supplier<?> detail) {
    details.put(name, detail);
  }

  /** The detail sections, evaluated now, in the order added. */
  public Map<String, Object> details() {
    Map<String, Supplier<?>> snapshot;
    synchronized (this) {
      snapshot = new LinkedHashMap<>(details);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    snapshot.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public void markInitialized() {
    initialized = true;
  }

  public void markDraining() {
    draining = true;
  }

  public boolean isDraining() {
    return draining;
  }

  /** Reasons the daemon is not ready; empty when it is. */
  public List<String> reasons() {
    List<String> reasons = new ArrayList<>();
    if (draining) {
      reasons.add("shutting down");
    }
    if (!initialized) {
      reasons.add("pumps not initialized yet");
    }
    List<Supplier<List<String>>> snapshot;
    synchronized (this) {
      snapshot = List.copyOf(checks);
    }
    for (Supplier<List<String>> c : snapshot) {
      reasons.addAll(c.get());
    }
    return reasons;
  }
}
