package io.pumpd.core.config;

import java.util.Objects;

/**
 * One {@code host:port} of a Redis node, Cluster seed or Sentinel, from {@code
 * analytics_storage_config} ({@link StorageConfig#addresses()}). IPv6 literals are written in
 * brackets ({@code [::1]:6379}). Parsing here is the only check of an address: {@link
 * StorageConfig#validate} reports what it rejects, so a configuration that loaded always yields
 * addresses. Immutable.
 *
 * @param host host name or IP literal (without brackets)
 * @param port 1 to 65535
 */
public record RedisAddress(String host, int port) {

  /** The go-redis single-node default, used when nothing is configured. */
  public static final RedisAddress DEFAULT = new RedisAddress("127.0.0.1", 6379);

  public RedisAddress {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host");
    }
    if (host.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new IllegalArgumentException("host \"" + host + "\" contains white space");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " out of range 1..65535");
    }
  }

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}.
   *
   * @throws IllegalArgumentException with a message naming the bad value
   */
  public static RedisAddress parse(String text) {
    String s = text == null ? "" : text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("\"" + text + "\" is not host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not host:port (write IPv6 addresses as [addr]:port)");
    }
    return of(host, s.substring(colon + 1), text);
  }

  /** A host and a port given as text (the deprecated {@code hosts} map). */
  static RedisAddress of(String host, String port, String original) {
    int p;
    try {
      p = Integer.parseInt(port.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + original + "\" has a non-numeric port");
    }
    try {
      return new RedisAddress(host.trim(), p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + original + "\": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
