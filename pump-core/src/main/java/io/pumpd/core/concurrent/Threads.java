package io.pumpd.core.concurrent;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's own threads: named, daemon (they never keep the JVM alive on their own; the
 * shutdown sequence stops them), and never dying unseen. A throwable that escapes a thread's work
 * is {@linkplain FatalErrors#check checked} (fatal errors end the process), logged at ERROR, and
 * the thread's name is remembered in {@link #died()}, which the readiness endpoint reports: a
 * daemon that lost a thread says so instead of staying ready while doing nothing. Loops should
 * still catch what they can recover from themselves and carry on; this is the last line.
 *
 * <p>Thread-safe; all methods are static.
 */
public final class Threads {
  private static final Logger LOG = LoggerFactory.getLogger(Threads.class);
  private static final Map<String, String> DIED = new ConcurrentHashMap<>();
  private static final Thread.UncaughtExceptionHandler ON_DEATH = Threads::died;

  private Threads() {}

  /**
   * A factory for an executor's threads: the first is named {@code name}, later ones {@code
   * name-2}, {@code name-3}, ...
   */
  public static ThreadFactory factory(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      int i = n.incrementAndGet();
      return newThread(i == 1 ? name : name + "-" + i, r);
    };
  }

  /** Starts {@code body} on a new daemon thread named {@code name}. */
  public static Thread start(String name, Runnable body) {
    Thread t = newThread(name, body);
    t.start();
    return t;
  }

  /** A daemon thread named {@code name}, not started. */
  public static Thread newThread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.setUncaughtExceptionHandler(ON_DEATH);
    return t;
  }

  /**
   * The uncaught-exception handler of every thread in the JVM ({@link
   * Thread#setDefaultUncaughtExceptionHandler}), for the threads of client libraries too: a
   * fatal error ends the process, anything else is logged.
   */
  public static void installDefaultHandler() {
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      FatalErrors.check(t.getName(), e);
      LOG.error("Uncaught exception in thread {}", t.getName(), e);
    });
  }

  /** The daemon's threads that ended with an exception, with it: "deliver-es: ...". */
  public static List<String> died() {
    return DIED.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).sorted().toList();
  }

  private static void died(Thread t, Throwable e) {
    FatalErrors.check(t.getName(), e);
    DIED.put(t.getName(), String.valueOf(e));
    LOG.error("Thread {} died; the daemon is not ready until it is restarted", t.getName(), e);
  }
}
