package io.pumpd.sinks.csv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict reader for what the csv pump writes (Go's {@code encoding/csv}: comma-separated, a field
 * quoted when it holds a comma, quote, CR or LF or starts with a space, quotes doubled, every row
 * ending with LF). Strict so that tests notice torn rows: the text must end with a complete row and
 * every row must have the header's 38 fields.
 */
public final class CsvRows {
  /** Fields per row (Tyk's columns). */
  public static final int COLUMNS = 38;

  private CsvRows() {}

  /** The rows of {@code file}, header first. */
  public static List<List<String>> read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rows of {@code text}; fails on a torn or malformed row. */
  public static List<List<String>> parse(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    boolean rowOpen = false;
    while (i < text.length()) {
      rowOpen = true;
      char c = text.charAt(i);
      if (c == '"' && field.length() == 0) {
        int end = i + 1;
        while (true) {
          if (end >= text.length()) {
            throw new IllegalArgumentException("unterminated quoted field in row " + (rows.size() + 1));
          }
          char q = text.charAt(end);
          if (q == '"') {
            if (end + 1 < text.length() && text.charAt(end + 1) == '"') {
              field.append('"');
              end += 2;
              continue;
            }
            break;
          }
          field.append(q);
          end++;
        }
        i = end + 1;
        if (i < text.length() && text.charAt(i) != ',' && text.charAt(i) != '\n') {
          throw new IllegalArgumentException("text after a quoted field in row " + (rows.size() + 1));
        }
        continue;
      }
      if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        row.add(field.toString());
        field.setLength(0);
        if (row.size() != COLUMNS) {
          throw new IllegalArgumentException("row " + (rows.size() + 1) + " has " + row.size() + " fields");
        }
        rows.add(row);
        row = new ArrayList<>();
        rowOpen = false;
      } else {
        field.append(c);
      }
      i++;
    }
    if (rowOpen) {
      throw new IllegalArgumentException("torn row at the end: " + row + " + '" + field + "'");
    }
    return rows;
  }
}
