package dev.x0tta6bl4.node.config;

/**
 * One voter of the Raft group as written in {@code consensus.voters}: {@code id@host:port}, e.g.
 * {@code n1@10.0.0.1:7601} or {@code n2@[fd00::2]:7601}. The id is a node id ({@link
 * NodeConfig.Node#ID_PATTERN}); the address is where that node's Raft server listens (port
 * 1..65535: peers must know it, so 0 is not allowed).
 *
 * <p>{@link #toString()} prints the form {@link #parse(String)} reads, so they round-trip.
 *
 * @param id the voter's node id
 * @param address host and port of its Raft server
 */
public record VoterAddress(String id, HostPort address) {
  /** What a voter entry may look like, for error messages. */
  public static final String ALLOWED =
      "id@host:port with a node id and port 1..65535, e.g. n1@10.0.0.1:7601 or n2@[fd00::2]:7601";

  /** Validates id and port. */
  public VoterAddress {
    if (id == null || !NodeConfig.Node.ID_PATTERN.matcher(id).matches()) {
      throw ConfigException.invalidValue(
          "voter id " + ConfigException.quote(id) + " is not a valid node id",
          NodeConfig.Node.ID_ALLOWED);
    }
    if (address == null) {
      throw ConfigException.invalidValue("voter '" + id + "' has no address", ALLOWED);
    }
    if (address.port() == 0) {
      throw ConfigException.invalidValue(
          "voter '" + id + "' has port 0; other voters must know the port", "1..65535");
    }
  }

  /**
   * Parses {@code id@host:port}.
   *
   * @throws ConfigException if the text has no {@code @}, the id is not a node id or the address
   *     is not a valid host:port with port 1..65535
   */
  public static VoterAddress parse(String text) {
    int at = text == null ? -1 : text.indexOf('@');
    if (at <= 0 || at == text.length() - 1) {
      throw ConfigException.invalidValue(
          ConfigException.quote(text) + " is not id@host:port", ALLOWED);
    }
    return new VoterAddress(text.substring(0, at), HostPort.parse(text.substring(at + 1)));
  }

  @Override
  public String toString() {
    return id + "@" + address;
  }
}
