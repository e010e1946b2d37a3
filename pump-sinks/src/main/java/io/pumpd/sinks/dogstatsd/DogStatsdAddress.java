package io.pumpd.sinks.dogstatsd;

import java.util.function.UnaryOperator;

/**
 * Where the DogStatsD datagrams go: a UDP {@code host:port} or a unix datagram socket path. Parsed
 * from Tyk's {@code address} ({@code host:port}, {@code [v6]:port} or {@code unix:///path});
 * an empty address falls back to {@code DD_AGENT_HOST} and {@code DD_DOGSTATSD_PORT} (default
 * 8125), as the Datadog clients do. Immutable.
 *
 * @param host UDP host, or {@code null} for a unix socket
 * @param port UDP port, or 0 for a unix socket
 * @param socketPath unix socket path, or {@code null} for UDP
 */
public record DogStatsdAddress(String host, int port, String socketPath) {
  /** The DogStatsD default port. */
  public static final int DEFAULT_PORT = 8125;

  private static final String UNIX_SCHEME = "unix://";

  /** True for a unix domain socket address. */
  public boolean isUnixSocket() {
    return socketPath != null;
  }

  /** The form the Java client takes for a unix socket: {@code unix:///path}. */
  String clientUrl() {
    return UNIX_SCHEME + socketPath;
  }

  @Override
  public String toString() {
    return isUnixSocket() ? clientUrl() : host + ":" + port;
  }

  /**
   * Parses a non-empty {@code address} setting.
   *
   * @throws IllegalArgumentException with a message saying what is accepted
   */
  public static DogStatsdAddress parse(String address) {
    String a = address.trim();
    if (a.startsWith(UNIX_SCHEME)) {
      String path = a.substring(UNIX_SCHEME.length());
      if (path.isEmpty() || !path.startsWith("/")) {
        throw new IllegalArgumentException(
            "'" + address + "': a unix socket address is unix:///absolute/path");
      }
      return new DogStatsdAddress(null, 0, path);
    }
    int colon = a.lastIndexOf(':');
    if (colon <= 0 || colon == a.length() - 1) {
      throw new IllegalArgumentException(
          "'" + address + "': expected host:port (UDP) or unix:///path (unix datagram socket)");
    }
    String host = a.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("'" + address + "': write IPv6 hosts as [addr]:port");
    }
    return new DogStatsdAddress(host, parsePort(a.substring(colon + 1), address), null);
  }

  /**
   * The address for {@code address}, or from {@code DD_AGENT_HOST} / {@code DD_DOGSTATSD_PORT}
   * when it is empty.
   *
   * @param env environment lookup (returns {@code null} for unset)
   * @throws IllegalArgumentException the address is malformed, or empty with no {@code
   *     DD_AGENT_HOST}
   */
  public static DogStatsdAddress resolve(String address, UnaryOperator<String> env) {
    if (address != null && !address.isBlank()) {
      return parse(address);
    }
    String host = env.apply("DD_AGENT_HOST");
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(
          "address is empty and DD_AGENT_HOST is not set; set meta.address to host:port or"
              + " unix:///path");
    }
    String port = env.apply("DD_DOGSTATSD_PORT");
    if (port == null || port.isBlank()) {
      return new DogStatsdAddress(host.trim(), DEFAULT_PORT, null);
    }
    return new DogStatsdAddress(host.trim(), parsePort(port.trim(), "DD_DOGSTATSD_PORT=" + port), null);
  }

  private static int parsePort(String s, String context) {
    try {
      int p = Integer.parseInt(s);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("'" + context + "': port must be 1..65535");
  }
}
