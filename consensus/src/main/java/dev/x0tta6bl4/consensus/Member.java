package dev.x0tta6bl4.consensus;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An entry of the replicated member registry: a node, its SPIFFE ID, the addresses it can be
 * reached at and its roles (for example {@code voter}, {@code gateway}). Immutable.
 */
public record Member(String nodeId, String spiffeId, List<String> addresses, Set<String> roles) {
  public Member {
    Limits.checkString("nodeId", nodeId, Limits.MAX_ID_BYTES, false);
    Limits.checkString("spiffeId", spiffeId, Limits.MAX_SPIFFE_BYTES, false);
    addresses = List.copyOf(addresses);
    if (addresses.size() > Limits.MAX_ADDRESSES) {
      throw new IllegalArgumentException("a member has at most " + Limits.MAX_ADDRESSES
          + " addresses, got " + addresses.size());
    }
    for (String a : addresses) {
      Limits.checkString("address", a, Limits.MAX_ADDRESS_BYTES, false);
    }
    if (roles.size() > Limits.MAX_ROLES) {
      throw new IllegalArgumentException("a member has at most " + Limits.MAX_ROLES
          + " roles, got " + roles.size());
    }
    for (String r : roles) {
      Limits.checkString("role", r, Limits.MAX_ROLE_BYTES, false);
    }
    // Sorted so that the encoding (and so every replica's snapshot) is canonical.
    roles = java.util.Collections.unmodifiableSet(new TreeSet<>(roles));
  }
}
