package io.pumpd.app.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What one sink received, record by record: reads the sink's output files incrementally (stdout
 * captures, csv files; several files when several daemon processes wrote), pulls the {@code
 * chaos-<i>} key out of each line and counts it. Lost = pushed keys never seen; duplicated =
 * receptions beyond the first.
 */
final class SinkLedger {
  private final String name;
  private final Function<String, String> keyOf;
  private final Map<Path, Long> offsets = new LinkedHashMap<>();
  private final List<Path> files = new ArrayList<>();
  private int[] counts = new int[1024];
  private long received;

  /**
   * @param keyOf extracts the record key from one output line, or null for other lines; null for
   *     the csv matching
   */
  SinkLedger(String name, Function<String, String> keyOf) {
    this.name = name;
    this.keyOf = keyOf;
  }

  /** A stdout pump in json format: {@code ... "api_key":"chaos-12", ...}. */
  static SinkLedger stdout(String name) {
    return new SinkLedger(name, line -> {
      int at = line.indexOf("\"api_key\":\"");
      if (at < 0) {
        return null;
      }
      int from = at + 11;
      return line.substring(from, line.indexOf('"', from));
    });
  }

  /**
   * A csv pump: the {@code APIKey} column holds {@code chaos-<i>}. Matched anywhere in the line
   * rather than by column position: a daemon killed in the middle of a write leaves a torn line
   * that the next daemon's first line is appended to, and that record still counts as written.
   */
  static SinkLedger csv(String name) {
    return new SinkLedger(name, null);
  }

  /**
   * A sink read through its own API (Elasticsearch, the Influx and DogStatsD receivers): {@code
   * keys} gives every record key received so far, repeated keys included; each refresh recounts.
   */
  static SinkLedger fromKeys(String name, java.util.function.Supplier<List<String>> keys) {
    SinkLedger l = new SinkLedger(name, k -> k);
    l.source = keys;
    return l;
  }

  private java.util.function.Supplier<List<String>> source;
  private java.util.function.Supplier<List<String>> deadLetterSource;
  private final BitSet deadLettered = new BitSet();

  /**
   * Counts the records this sink's pump dead-lettered (permanently rejected, with the reason) as
   * accounted for: they are not received, but not silently lost either.
   */
  SinkLedger deadLetters(java.util.function.Supplier<List<String>> keys) {
    this.deadLetterSource = keys;
    return this;
  }

  /** Records the pump dead-lettered (see {@link #deadLetters}). */
  synchronized int deadLettered() {
    return deadLettered.cardinality();
  }

  String name() {
    return name;
  }

  /** Adds an output file (read from its start). */
  synchronized SinkLedger watch(Path file) {
    if (!offsets.containsKey(file)) {
      offsets.put(file, 0L);
      files.add(file);
    }
    return this;
  }

  /** Reads what was appended to the watched files since the last call. */
  synchronized SinkLedger refresh() {
    if (deadLetterSource != null) {
      for (String key : deadLetterSource.get()) {
        if (key.startsWith(Gateway.TAG)) {
          deadLettered.set(Integer.parseInt(key.substring(Gateway.TAG.length())));
        }
      }
    }
    if (source != null) {
      counts = new int[counts.length];
      received = 0;
      for (String key : source.get()) {
        count(key);
      }
      return this;
    }
    for (Path f : files) {
      if (Files.isRegularFile(f)) {
        readNew(f);
      }
    }
    return this;
  }

  /** Reads the complete lines appended to {@code f} since the last call, in chunks. */
  private void readNew(Path f) {
    try (RandomAccessFile in = new RandomAccessFile(f.toFile(), "r")) {
      while (true) {
        long offset = offsets.get(f);
        long length = in.length();
        if (length <= offset) {
          return;
        }
        byte[] chunk = new byte[(int) Math.min(length - offset, 16L << 20)];
        in.seek(offset);
        in.readFully(chunk);
        int lastNewline = -1;
        for (int i = chunk.length - 1; i >= 0; i--) {
          if (chunk[i] == '\n') {
            lastNewline = i;
            break;
          }
        }
        if (lastNewline < 0) {
          return; // a partial line: wait for the rest
        }
        new String(chunk, 0, lastNewline + 1, StandardCharsets.UTF_8).lines().forEach(this::count);
        offsets.put(f, offset + lastNewline + 1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final java.util.regex.Pattern CSV_KEY =
      java.util.regex.Pattern.compile("(?<=,)" + Gateway.TAG + "(\\d+)(?=,)");

  private void count(String line) {
    if (keyOf == null) {
      java.util.regex.Matcher m = CSV_KEY.matcher(line);
      while (m.find()) {
        count(Integer.parseInt(m.group(1)));
      }
      return;
    }
    String key = keyOf.apply(line);
    if (key == null || !key.startsWith(Gateway.TAG)) {
      return;
    }
    count(Integer.parseInt(key.substring(Gateway.TAG.length())));
  }

  private void count(int i) {
    if (i >= counts.length) {
      counts = java.util.Arrays.copyOf(counts, Math.max(i + 1, counts.length * 2));
    }
    counts[i]++;
    received++;
  }

  /** Distinct records {@code chaos-0 .. chaos-<n-1>} received or dead-lettered. */
  synchronized int distinct(int n) {
    return n - missing(n).cardinality();
  }

  /** Which of {@code chaos-0 .. chaos-<n-1>} were neither received nor dead-lettered. */
  synchronized BitSet missing(int n) {
    BitSet m = new BitSet(n);
    for (int i = 0; i < n; i++) {
      if ((i >= counts.length || counts[i] == 0) && !deadLettered.get(i)) {
        m.set(i);
      }
    }
    return m;
  }

  /** Receptions beyond the first. */
  synchronized long duplicates() {
    long d = 0;
    for (int c : counts) {
      if (c > 1) {
        d += c - 1;
      }
    }
    return d;
  }

  synchronized long received() {
    return received;
  }
}
