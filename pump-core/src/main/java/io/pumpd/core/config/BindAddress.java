package io.pumpd.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks the spelling of an address to listen on ({@code health_check_endpoint_address}): an IPv4
 * literal ({@code 127.0.0.1}), an IPv6 literal with or without brackets ({@code ::1}, {@code
 * [::1]}, {@code fe80::1%eth0}) or a host name ({@code localhost}, {@code pod-a.internal}). Never
 * resolves anything: whether a host name resolves, and to an address of this machine, is found out
 * when the daemon binds.
 */
public final class BindAddress {
  private static final Pattern IPV4 = Pattern.compile("[0-9.]+");
  private static final Pattern OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z._-]+)?");
  // RFC 1123 labels; '_' too, as Docker Compose service names have it and resolvers accept it
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

  private BindAddress() {}

  /** What is wrong with {@code address}, or empty when it is an IP literal or a host name. */
  public static Optional<String> problem(String address) {
    if (valid(address)) {
      return Optional.empty();
    }
    int colon = address.lastIndexOf(':');
    if (colon > 0 && address.indexOf(':') == colon && colon < address.length() - 1
        && address.substring(colon + 1).chars().allMatch(Character::isDigit)
        && valid(address.substring(0, colon))) {
      return Optional.of("\"" + address + "\" is host:port; give the host only (the port is"
          + " health_check_endpoint_port)");
    }
    return Optional.of("\"" + address + "\" is not an IP address or a host name"
        + " (leave it empty to listen on all interfaces)");
  }

  private static boolean valid(String a) {
    if (a.indexOf(':') >= 0) {
      String bare = a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a;
      return validIpv6(bare);
    }
    if (IPV4.matcher(a).matches()) {
      return validIpv4(a);
    }
    return validHostName(a);
  }

  private static boolean validIpv4(String a) {
    String[] parts = a.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!OCTET.matcher(p).matches() || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean validIpv6(String a) {
    // Only hex digits, ':' and '.' (and a zone): the JDK parses such a string as a literal and
    // never asks a resolver, so this is a syntax check.
    if (!IPV6.matcher(a).matches()) {
      return false;
    }
    try {
      InetAddress.getByName(a);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean validHostName(String a) {
    String name = a.endsWith(".") ? a.substring(0, a.length() - 1) : a;
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }
}
