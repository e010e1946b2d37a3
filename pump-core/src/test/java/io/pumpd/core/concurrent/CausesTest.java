package io.pumpd.core.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Cause walks: root, chain, async unwrapping and search, all safe on cycles and deep chains. */
class CausesTest {

  @Test
  void rootIsTheInnermostCause() {
    IOException io = new IOException("connection refused");
    RuntimeException outer = new RuntimeException("write failed", new IllegalStateException("x", io));

    assertThat(Causes.root(outer)).isSameAs(io);
    assertThat(Causes.root(io)).isSameAs(io);
    assertThat(Causes.root(null)).isNull();
  }

  @Test
  void chainListsTheThrowableAndItsCausesOutermostFirst() {
    IOException io = new IOException("reset");
    RuntimeException mid = new RuntimeException("mid", io);
    RuntimeException outer = new RuntimeException("outer", mid);

    assertThat(Causes.chain(outer)).containsExactly(outer, mid, io);
    assertThat(Causes.chain(null)).isEmpty();
  }

  @Test
  void aCauseCycleEndsTheWalkInsteadOfLoopingForever() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);

    assertThat(Causes.chain(a)).containsExactly(a, b);
    assertThat(Causes.root(a)).isSameAs(b);
    assertThat(Causes.find(a, t -> "missing".equals(t.getMessage()))).isEmpty();
  }

  @Test
  void aVeryDeepChainIsCutAtTheDepthLimit() {
    Throwable t = new IOException("bottom");
    for (int i = 0; i < 1000; i++) {
      t = new RuntimeException("level " + i, t);
    }

    assertThat(Causes.chain(t)).hasSize(Causes.MAX_DEPTH + 1);
    assertThat(Causes.root(t)).hasMessage("level " + (999 - Causes.MAX_DEPTH));
  }

  @Test
  void unwrapPeelsOnlyAsyncWrappers() {
    IOException io = new IOException("timeout");
    IllegalStateException plain = new IllegalStateException("not a wrapper", io);
    ExecutionException wrapped = new ExecutionException(new CompletionException(plain));

    assertThat(Causes.unwrap(wrapped)).isSameAs(plain);
    assertThat(Causes.unwrap(plain)).isSameAs(plain);
    ExecutionException empty = new ExecutionException("no cause", null);
    assertThat(Causes.unwrap(empty)).isSameAs(empty);
    assertThat(Causes.unwrap(null)).isNull();
  }

  @Test
  void unwrapStopsOnAWrapperCycle() {
    LoopingWrapper a = new LoopingWrapper();
    LoopingWrapper b = new LoopingWrapper();
    a.next = b;
    b.next = a;

    assertThat(Causes.unwrap(a)).isIn(a, b);
  }

  /** A wrapper whose cause can be made to point back at it (initCause refuses that). */
  private static final class LoopingWrapper extends ExecutionException {
    private static final long serialVersionUID = 1L;
    private Throwable next;

    @Override
    public synchronized Throwable getCause() {
      return next;
    }
  }

  @Test
  void findSearchesCausesAndSuppressedExceptions() {
    IOException refused = new IOException("WRONGPASS invalid username-password pair");
    RuntimeException attempt = new RuntimeException("sentinel 2 failed", refused);
    RuntimeException outer = new RuntimeException("Cannot connect to a Redis Sentinel");
    outer.addSuppressed(new RuntimeException("sentinel 1 failed"));
    outer.addSuppressed(attempt);

    assertThat(Causes.find(outer, IOException.class::isInstance)).containsSame(refused);
    assertThat(Causes.find(outer, t -> t.getMessage().startsWith("sentinel 2"))).containsSame(attempt);
    assertThat(Causes.find(outer, OutOfMemoryError.class::isInstance)).isEmpty();
    assertThat(Causes.find(null, t -> true)).isEmpty();
  }

  @Test
  void findPrefersAThrowableOverItsSuppressedAndThoseOverItsCause() {
    RuntimeException cause = new RuntimeException("match: cause");
    RuntimeException outer = new RuntimeException("match: outer", cause);
    RuntimeException suppressed = new RuntimeException("match: suppressed");
    outer.addSuppressed(suppressed);

    assertThat(Causes.find(outer, t -> t.getMessage().startsWith("match"))).containsSame(outer);
    assertThat(Causes.find(outer, t -> t != outer && t.getMessage().startsWith("match")))
        .containsSame(suppressed);
  }
}
