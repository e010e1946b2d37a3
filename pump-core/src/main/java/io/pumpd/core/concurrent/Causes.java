package io.pumpd.core.concurrent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * Walks a throwable's causes: the one place that follows {@link Throwable#getCause()} (and {@link
 * Throwable#getSuppressed()}), so that no caller loops forever on a cause cycle (A caused by B
 * caused by A, which {@link Throwable#initCause} allows) or walks an absurdly deep chain.
 *
 * <p>Every walk stops at a throwable already seen (by identity) and after {@link #MAX_DEPTH}
 * links. {@code null} is accepted everywhere and means "no throwable".
 *
 * <p>Stateless; all methods are static and thread-safe.
 */
public final class Causes {
  /** The most links any walk follows from the throwable it was given. */
  public static final int MAX_DEPTH = 32;

  private Causes() {}

  /**
   * {@code t} followed by its causes, outermost first, each at most once and at most {@link
   * #MAX_DEPTH} + 1 of them; empty for {@code null}.
   */
  public static List<Throwable> chain(Throwable t) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = identitySet();
    for (Throwable c = t; c != null && out.size() <= MAX_DEPTH && seen.add(c); c = c.getCause()) {
      out.add(c);
    }
    return out;
  }

  /**
   * The innermost cause of {@code t} (the last of its {@linkplain #chain chain}): {@code t} itself
   * when it has no cause, {@code null} for {@code null}.
   */
  public static Throwable root(Throwable t) {
    List<Throwable> chain = chain(t);
    return chain.isEmpty() ? null : chain.get(chain.size() - 1);
  }

  /**
   * {@code t} without the wrappers that asynchronous calls put around a failure: while it is an
   * {@link ExecutionException} or a {@link CompletionException} with a cause, its cause. Any other
   * throwable (and a wrapper without a cause) is returned as it is.
   */
  public static Throwable unwrap(Throwable t) {
    Throwable e = t;
    Set<Throwable> seen = identitySet();
    for (int depth = 0;
        depth < MAX_DEPTH
            && (e instanceof ExecutionException || e instanceof CompletionException)
            && e.getCause() != null
            && seen.add(e);
        depth++) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * The first throwable that matches {@code test} among {@code t}, its causes and the exceptions
   * suppressed in any of them (libraries such as Lettuce attach the failure of each attempt as a
   * suppressed exception). The order is depth first: a throwable, then what it suppressed (with
   * their own causes), then its cause.
   */
  public static Optional<Throwable> find(Throwable t, Predicate<? super Throwable> test) {
    return Optional.ofNullable(find(t, test, identitySet(), 0));
  }

  private static Throwable find(
      Throwable t, Predicate<? super Throwable> test, Set<Throwable> seen, int depth) {
    if (t == null || depth > MAX_DEPTH || !seen.add(t)) {
      return null;
    }
    if (test.test(t)) {
      return t;
    }
    for (Throwable s : t.getSuppressed()) {
      Throwable found = find(s, test, seen, depth + 1);
      if (found != null) {
        return found;
      }
    }
    return find(t.getCause(), test, seen, depth + 1);
  }

  private static Set<Throwable> identitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }
}
