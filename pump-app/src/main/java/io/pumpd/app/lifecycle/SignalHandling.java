package io.pumpd.app.lifecycle;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT handling: the first signal starts the graceful shutdown on its own thread;
 * a second one ends the process at once with status 128 + signal number (143 for TERM, 130 for
 * INT), for an operator who does not want to wait. Installed once from the main thread.
 */
public final class SignalHandling {
  private static final Logger LOG = LoggerFactory.getLogger(SignalHandling.class);

  private SignalHandling() {}

  /**
   * Installs the handlers.
   *
   * @param onFirst receives the signal name ("SIGTERM"); runs on a new thread named {@code shutdown}
   */
  public static void install(Consumer<String> onFirst) {
    AtomicBoolean seen = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> {
        if (seen.compareAndSet(false, true)) {
          Thread t = new Thread(() -> onFirst.accept("SIG" + sig.getName()), "shutdown");
          t.start();
        } else {
          LOG.warn("Second SIG{} received: exiting at once, without finishing the shutdown",
              sig.getName());
          Runtime.getRuntime().halt(128 + sig.getNumber());
        }
      });
    }
  }
}
