package dev.x0tta6bl4.node.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A host and port to bind or connect to, written {@code host:port} or, for IPv6, {@code
 * [address]:port}. The host is a DNS name, an IPv4 address or an IPv6 address; the port is
 * 0..65535 (0 asks the system for a free port when binding).
 *
 * <p>{@link #toString()} prints the form {@link #parse(String)} reads, so they round-trip.
 *
 * @param host the host name or address, without brackets (an IPv6 address contains ':')
 * @param port the port, 0..65535
 */
public record HostPort(String host, int port) {
  /** What a host:port may look like, for error messages. */
  public static final String ALLOWED =
      "host:port with port 0..65535, e.g. 127.0.0.1:9464, localhost:9464 or [::1]:9464";

  private static final int MAX_PORT = 65_535;
  private static final int MAX_HOST_LENGTH = 253;

  /** Validates host and port. */
  public HostPort {
    if (host == null) {
      throw ConfigException.invalidValue("host is null", ALLOWED);
    }
    validateHost(host);
    if (port < 0 || port > MAX_PORT) {
      throw ConfigException.invalidValue("port " + port + " is out of range", "0.." + MAX_PORT);
    }
  }

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}.
   *
   * @throws ConfigException if the text is not of that form, the host is not a valid name or
   *     address, or the port is out of range
   */
  public static HostPort parse(String text) {
    if (text == null || text.isEmpty()) {
      throw ConfigException.invalidValue("empty host:port", ALLOWED);
    }
    String host;
    String portText;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw ConfigException.invalidValue(
            ConfigException.quote(text) + " is not [address]:port", ALLOWED);
      }
      host = text.substring(1, close);
      if (host.indexOf(':') < 0) {
        throw ConfigException.invalidValue(
            ConfigException.quote(text) + " has brackets around a non-IPv6 host", ALLOWED);
      }
      portText = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw ConfigException.invalidValue(ConfigException.quote(text) + " has no port", ALLOWED);
      }
      host = text.substring(0, colon);
      if (host.indexOf(':') >= 0) {
        throw ConfigException.invalidValue(
            ConfigException.quote(text) + " has an IPv6 address without brackets", ALLOWED);
      }
      portText = text.substring(colon + 1);
    }
    return new HostPort(host, parsePort(text, portText));
  }

  /** Creates an unresolved socket address; resolve it where the name is used. */
  public InetSocketAddress toUnresolvedAddress() {
    return InetSocketAddress.createUnresolved(host, port);
  }

  /** Prints {@code host:port}, with brackets around an IPv6 address. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static int parsePort(String text, String portText) {
    boolean digits = !portText.isEmpty() && portText.length() <= 9;
    for (int i = 0; digits && i < portText.length(); i++) {
      digits = portText.charAt(i) >= '0' && portText.charAt(i) <= '9';
    }
    if (!digits) {
      String problem =
          portText.length() > 9 && portText.chars().allMatch(c -> c >= '0' && c <= '9')
              ? "port " + ConfigException.quote(portText) + " is out of range"
              : ConfigException.quote(text) + " has port " + ConfigException.quote(portText)
                  + ", which is not a number";
      throw ConfigException.invalidValue(problem, ALLOWED);
    }
    return Integer.parseInt(portText);
  }

  private static void validateHost(String host) {
    if (host.isEmpty()) {
      throw ConfigException.invalidValue("host is empty", ALLOWED);
    }
    if (host.indexOf(':') >= 0) {
      validateIpv6(host);
      return;
    }
    if (host.length() > MAX_HOST_LENGTH) {
      throw ConfigException.invalidValue(
          "host " + ConfigException.quote(host) + " is longer than 253 characters", ALLOWED);
    }
    String[] labels = host.split("\\.", -1);
    boolean numeric = true;
    for (String label : labels) {
      if (!validLabel(label)) {
        throw ConfigException.invalidValue(
            "host " + ConfigException.quote(host) + " is not a valid host name or address",
            "letters, digits and '-' in dot-separated labels of 1..63 characters, an IPv4"
                + " address, or an IPv6 address in brackets");
      }
      numeric &= label.chars().allMatch(c -> c >= '0' && c <= '9');
    }
    if (numeric) {
      validateIpv4(host, labels);
    }
  }

  private static boolean validLabel(String label) {
    if (label.isEmpty() || label.length() > 63) {
      return false;
    }
    if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
      return false;
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!ok && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static void validateIpv4(String host, String[] labels) {
    boolean ok = labels.length == 4;
    for (int i = 0; ok && i < labels.length; i++) {
      ok = labels[i].length() <= 3 && Integer.parseInt(labels[i]) <= 255;
    }
    if (!ok) {
      throw ConfigException.invalidValue(
          "host " + ConfigException.quote(host) + " is not a valid IPv4 address",
          "four numbers 0..255 separated by dots");
    }
  }

  private static boolean isIpv6Literal(String host) {
    try {
      // With brackets the JDK parses the literal and never falls back to a DNS lookup.
      InetAddress.getByName("[" + host + "]");
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void validateIpv6(String host) {
    boolean ok = host.length() <= 45;
    int groups = 0;
    for (int i = 0; ok && i < host.length(); i++) {
      char c = host.charAt(i);
      ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
          || c == ':' || c == '.';
      groups += c == ':' ? 1 : 0;
    }
    ok &= groups >= 2 && groups <= 7 && !host.contains(":::") && isIpv6Literal(host);
    if (!ok) {
      throw ConfigException.invalidValue(
          "host " + ConfigException.quote(host) + " is not a valid IPv6 address",
          "an IPv6 address in brackets, e.g. [::1]:9464 or [::]:9464");
    }
  }
}
