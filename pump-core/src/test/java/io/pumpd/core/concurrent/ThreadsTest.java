package io.pumpd.core.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The daemon's threads never die unseen: named, daemon, and a death is remembered and reported. */
class ThreadsTest {

  @Test
  void aThreadThatDiesIsReportedWithItsName() throws Exception {
    Thread t = Threads.start("test-dies", () -> {
      throw new IllegalStateException("a bug in a loop");
    });
    t.join(5000);
    assertThat(t.isDaemon()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> Threads.died().stream()
        .anyMatch(d -> d.startsWith("test-dies: ") && d.contains("a bug in a loop")));
  }

  @Test
  void aFatalErrorInAThreadGoesToTheFatalHandler() throws Exception {
    List<String> fatal = new CopyOnWriteArrayList<>();
    FatalErrors.Handler previous = FatalErrors.setHandler((where, e) -> fatal.add(where));
    try {
      Thread t = Threads.start("test-oom", () -> {
        throw new OutOfMemoryError("Java heap space");
      });
      t.join(5000);
      await().atMost(Duration.ofSeconds(5)).until(() -> fatal.contains("test-oom"));
    } finally {
      FatalErrors.setHandler(previous);
    }
  }

  @Test
  void executorThreadsAreNamedAfterTheirRole() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2, Threads.factory("role"));
    try {
      List<String> names = new CopyOnWriteArrayList<>();
      pool.submit(() -> names.add(Thread.currentThread().getName())).get();
      assertThat(names).containsExactly("role");
    } finally {
      pool.shutdownNow();
    }
  }
}
