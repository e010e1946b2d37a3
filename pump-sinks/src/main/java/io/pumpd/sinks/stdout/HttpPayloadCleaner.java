package io.pumpd.sinks.stdout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Makes a raw HTTP request/response readable on one log line, as Tyk 1.15's stdout pump does: the
 * headers and the body are split at the first blank line; a valid JSON body is compacted; carriage
 * returns and tabs are dropped and newlines become spaces. Stateless, thread-safe.
 */
final class HttpPayloadCleaner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SEPARATOR = "\r\n\r\n";

  private HttpPayloadCleaner() {}

  static String clean(String raw) {
    if (raw.isEmpty()) {
      return raw;
    }
    int sep = raw.indexOf(SEPARATOR);
    if (sep >= 0) {
      String body = raw.substring(sep + SEPARATOR.length());
      String compact = compactJson(body);
      if (compact != null) {
        return collapse(raw.substring(0, sep)) + " " + compact;
      }
    }
    return collapse(raw);
  }

  private static String compactJson(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      return node == null || node.isMissingNode() ? null : JSON.writeValueAsString(node);
    } catch (Exception notJson) {
      return null;
    }
  }

  private static String collapse(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        b.append(' ');
      } else if (c != '\r' && c != '\t') {
        b.append(c);
      }
    }
    return b.toString();
  }
}
