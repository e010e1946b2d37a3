package io.pumpd.core.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateLimitedLoggerTest {
  private final CapturedLog log = new CapturedLog(RateLimitedLoggerTest.class);
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final RateLimitedLogger limited =
      new RateLimitedLogger(log.logger(), Duration.ofSeconds(10), nanos::get);

  @AfterEach
  void detach() {
    log.close();
  }

  @Test
  void oneLinePerKindPerIntervalThenTheCountOfHeldBackLines() {
    assertThat(limited.warn("bad:k1", "bad element from {}: {}", "k1", "first")).isTrue();
    for (int i = 0; i < 41; i++) {
      nanos.addAndGet(Duration.ofMillis(200).toNanos()); // 8.2 s in total: still inside
      assertThat(limited.warn("bad:k1", "bad element from {}: {}", "k1", "again " + i)).isFalse();
    }
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(limited.warn("bad:k1", "bad element from {}: {}", "k1", "later")).isTrue();
    nanos.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(limited.warn("bad:k1", "bad element from {}: {}", "k1", "quiet")).isTrue();

    assertThat(log.messages(Level.WARN))
        .containsExactly(
            "bad element from k1: first",
            "bad element from k1: later (41 more suppressed)",
            "bad element from k1: quiet");
  }

  @Test
  void kindsAreLimitedIndependently() {
    limited.warn("a", "a {}", 1);
    limited.warn("b", "b {}", 1);
    limited.warn("a", "a {}", 2);
    limited.warn("b", "b {}", 2);
    assertThat(log.messages(Level.WARN)).containsExactly("a 1", "b 1");
  }

  @Test
  void concurrentCallersGetExactlyOneLineThrough() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> passed = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      passed.add(
          pool.submit(
              () -> {
                start.await();
                int n = 0;
                for (int i = 0; i < 1000; i++) {
                  n += limited.warn("flood", "flood {}", i) ? 1 : 0;
                }
                return n;
              }));
    }
    start.countDown();
    int total = 0;
    for (Future<Integer> f : passed) {
      total += f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(total).isEqualTo(1);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    limited.warn("flood", "flood {}", "end");
    assertThat(log.messages(Level.WARN)).hasSize(2).last().isEqualTo("flood end (7999 more suppressed)");
  }
}
