package dev.x0tta6bl4.consensus;

import java.util.regex.Pattern;

/** A voting member of the Raft group: its peer id and the host and port of its Raft server. */
public record Voter(String id, String host, int port) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public Voter {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("voter id '" + id + "' is invalid: expected 1-64 of"
          + " letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("voter '" + id + "' has no host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("voter '" + id + "' port " + port + " outside 1..65535");
    }
  }

  /** {@code host:port}, with brackets around an IPv6 literal. */
  public String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
