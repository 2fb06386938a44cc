package dev.x0tta6bl4.pqc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a {@link HandshakeInspector} saw on the wire of one connection's TLS handshake, in
 * both directions: every ClientHello's key_share groups, the ServerHello's selected group and
 * protocol version, and HelloRetryRequests. Group values are IANA TLS NamedGroup codes.
 *
 * @param clientHelloCount ClientHello messages seen (2 means a HelloRetryRequest round trip)
 * @param clientHelloBytes size of the first ClientHello message body plus header, 0 if none
 * @param offeredKeyShareGroups key_share groups of the first ClientHello, in order
 * @param supportedGroups supported_groups of the first ClientHello, in order
 * @param helloRetryRequestCount HelloRetryRequests seen (ServerHello with the special random)
 * @param selectedGroup the key_share group of the (real) ServerHello
 * @param negotiatedVersion supported_versions of the ServerHello (0x0304 for TLS 1.3)
 * @param abandoned why observation stopped early (malformed record, size cap), if it did
 */
public record HandshakeObservation(
    int clientHelloCount,
    int clientHelloBytes,
    List<Integer> offeredKeyShareGroups,
    List<Integer> supportedGroups,
    int helloRetryRequestCount,
    OptionalInt selectedGroup,
    OptionalInt negotiatedVersion,
    Optional<String> abandoned) {

  public static final int X25519 = 0x001d;
  public static final int SECP256R1 = 0x0017;
  public static final int MLKEM768 = 0x0201;
  public static final int X25519_MLKEM768 = 0x11ec;
  public static final int TLS13 = 0x0304;

  public HandshakeObservation {
    offeredKeyShareGroups = List.copyOf(offeredKeyShareGroups);
    supportedGroups = List.copyOf(supportedGroups);
    Objects.requireNonNull(selectedGroup, "selectedGroup");
    Objects.requireNonNull(negotiatedVersion, "negotiatedVersion");
    Objects.requireNonNull(abandoned, "abandoned");
  }

  static HandshakeObservation empty() {
    return new HandshakeObservation(
        0, 0, List.of(), List.of(), 0, OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
  }

  /** The selected group's name ({@code "X25519MLKEM768"}, {@code "x25519"}...), if seen. */
  public Optional<String> selectedGroupName() {
    return selectedGroup.isPresent()
        ? Optional.of(groupName(selectedGroup.getAsInt()))
        : Optional.empty();
  }

  /** {@code "TLSv1.3"} / {@code "TLSv1.2"} or the hex code, if a ServerHello was seen. */
  public Optional<String> negotiatedProtocol() {
    if (negotiatedVersion.isEmpty()) {
      return Optional.empty();
    }
    int v = negotiatedVersion.getAsInt();
    return Optional.of(
        v == TLS13 ? "TLSv1.3" : v == 0x0303 ? "TLSv1.2" : String.format("0x%04x", v));
  }

  /** A readable name for an IANA NamedGroup code. */
  public static String groupName(int group) {
    switch (group) {
      case X25519:
        return "x25519";
      case SECP256R1:
        return "secp256r1";
      case 0x0018:
        return "secp384r1";
      case 0x0200:
        return "MLKEM512";
      case MLKEM768:
        return "MLKEM768";
      case 0x0202:
        return "MLKEM1024";
      case 0x11eb:
        return "SecP256r1MLKEM768";
      case X25519_MLKEM768:
        return "X25519MLKEM768";
      case 0x11ed:
        return "SecP384r1MLKEM1024";
      default:
        return String.format("0x%04x", group);
    }
  }
}
