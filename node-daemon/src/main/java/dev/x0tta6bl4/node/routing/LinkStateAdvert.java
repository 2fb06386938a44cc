package dev.x0tta6bl4.node.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What one node tells the mesh about itself: its live links and their costs, stamped with a
 * per-origin sequence number. Flooded inside a signed envelope (see {@link AdvertSigner}); the
 * routing core keeps the newest advert of every origin and runs shortest paths over them.
 *
 * <h2>Sequence numbers</h2>
 *
 * Unsigned 64-bit, compared with {@link Long#compareUnsigned}. A node persists nothing for
 * routing, yet a restarted node must out-number the adverts its previous life left in the mesh.
 * So the first advert of a process life has {@link #sequenceBase(long) sequenceBase(bootMillis)}
 * = {@code bootMillis << 20} (wall-clock milliseconds at start-up) and each later one adds 1. A
 * restart T ms later starts above everything the old life sent as long as it sent fewer than
 * 2<sup>20</sup> adverts per millisecond of uptime, which the minimum origination interval makes
 * impossible; there is no counter field to overflow, the count simply carries into the time bits.
 * If the clock stepped back across a restart, the router sees its own older life's higher number
 * flooded back and jumps above it (see {@link LinkStateRouter}).
 *
 * <h2>Body encoding, version 1 (integers big-endian)</h2>
 *
 * <pre>
 * +---------+-----------+--------+----------+-------------+------------+------------------------+
 * | version | originLen | origin | sequence | maxAgeMillis| linkCount  | linkCount x link       |
 * | u8 = 1  | u8 1-63   | ASCII  | u64      | u32         | u16 0-256  |                        |
 * +---------+-----------+--------+----------+-------------+------------+------------------------+
 * link: | idLen u8 1-63 | neighbour id ASCII | cost u32 1..2^32-1 |
 * </pre>
 *
 * Node ids match {@code [a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?}; links are in strictly ascending
 * neighbour-id order (so the encoding is canonical), none names the origin; max-age is within
 * [{@value #MIN_MAX_AGE_MILLIS}, {@value #MAX_MAX_AGE_MILLIS}] ms; nothing may follow the last
 * link. {@link #decode} checks every length against its cap and the bytes remaining, and throws
 * only {@link RoutingCodecException}.
 *
 * @param origin the advertising node's id
 * @param sequence the unsigned per-origin sequence number
 * @param maxAgeMillis how long receivers may keep this advert without a newer one
 * @param links the origin's live links, sorted by neighbour id
 */
public record LinkStateAdvert(String origin, long sequence, long maxAgeMillis, List<Link> links) {

  /** Body format version written and accepted. */
  public static final int VERSION = 1;
  /** Most links one advert may list. */
  public static final int MAX_LINKS = 256;
  /** Longest node id in bytes (a node id is a DNS-label-like SPIFFE path segment). */
  public static final int MAX_NODE_ID_LENGTH = 63;
  /** Smallest link cost. */
  public static final long MIN_COST = 1;
  /** Largest link cost (u32). */
  public static final long MAX_COST = 0xFFFF_FFFFL;
  /** Smallest max-age accepted. */
  public static final long MIN_MAX_AGE_MILLIS = 1_000;
  /** Largest max-age accepted (one day). */
  public static final long MAX_MAX_AGE_MILLIS = 86_400_000;
  /** Largest encoded body. */
  public static final int MAX_ENCODED_BYTES =
      1 + 1 + MAX_NODE_ID_LENGTH + 8 + 4 + 2 + MAX_LINKS * (1 + MAX_NODE_ID_LENGTH + 4);

  private static final Comparator<Link> BY_NEIGHBOUR = Comparator.comparing(Link::neighbour);

  /** Validates every field; links are copied and sorted; a duplicate neighbour is refused. */
  public LinkStateAdvert {
    requireNodeId(origin, "origin");
    if (maxAgeMillis < MIN_MAX_AGE_MILLIS || maxAgeMillis > MAX_MAX_AGE_MILLIS) {
      throw new RoutingException(
          "advert max-age " + maxAgeMillis + " ms is outside [" + MIN_MAX_AGE_MILLIS + ", "
              + MAX_MAX_AGE_MILLIS + "] ms");
    }
    Objects.requireNonNull(links, "links");
    if (links.size() > MAX_LINKS) {
      throw new RoutingException(
          "advert of " + origin + " lists " + links.size() + " links; at most " + MAX_LINKS);
    }
    List<Link> sorted = new ArrayList<>(links);
    sorted.sort(BY_NEIGHBOUR);
    for (int i = 0; i < sorted.size(); i++) {
      Link link = sorted.get(i);
      if (link.neighbour().equals(origin)) {
        throw new RoutingException("advert of " + origin + " lists a link to itself");
      }
      if (i > 0 && sorted.get(i - 1).neighbour().equals(link.neighbour())) {
        throw new RoutingException(
            "advert of " + origin + " lists neighbour " + link.neighbour() + " twice");
      }
    }
    links = List.copyOf(sorted);
  }

  /** The first sequence number of a process life started at {@code bootEpochMillis}. */
  public static long sequenceBase(long bootEpochMillis) {
    if (bootEpochMillis < 0 || bootEpochMillis >= (1L << 43)) {
      throw new RoutingException(
          "boot epoch " + bootEpochMillis + " ms is outside [0, 2^43) ms; expected wall-clock"
              + " milliseconds since 1970");
    }
    return bootEpochMillis << 20;
  }

  /** The canonical body encoding (the class comment draws it). */
  public byte[] encode() {
    return AdvertBodyCodec.encode(this);
  }

  /**
   * Decodes a body strictly.
   *
   * @throws RoutingCodecException for any input that is not a canonical version-1 body
   */
  public static LinkStateAdvert decode(byte[] body) {
    return AdvertBodyCodec.decode(body);
  }

  /** The advertised cost of the link to {@code neighbour}, or -1 when none is listed. */
  public long costTo(String neighbour) {
    int low = 0;
    int high = links.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      Link link = links.get(mid);
      int order = link.neighbour().compareTo(neighbour);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return link.cost();
      }
    }
    return -1;
  }

  /** True when both adverts describe the same links with the same costs. */
  public boolean sameLinks(LinkStateAdvert other) {
    return links.equals(other.links);
  }

  @Override
  public String toString() {
    return "LinkStateAdvert[" + origin + " #" + Long.toUnsignedString(sequence) + ", maxAge="
        + maxAgeMillis + "ms, links=" + links + "]";
  }

  /** Whether {@code id} is a valid node id (see the class comment). */
  public static boolean isValidNodeId(String id) {
    int length = id == null ? 0 : id.length();
    if (length == 0 || length > MAX_NODE_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = id.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      boolean inner = c == '.' || c == '_' || c == '-';
      if (!alnum && (!inner || i == 0 || i == length - 1)) {
        return false;
      }
    }
    return true;
  }

  static String requireNodeId(String id, String what) {
    if (!isValidNodeId(id)) {
      throw new RoutingException(
          what + " '" + id + "' is not a node id; expected 1-" + MAX_NODE_ID_LENGTH
              + " characters of [a-z0-9._-], starting and ending with [a-z0-9]");
    }
    return id;
  }

  static long requireCost(long cost, String what) {
    if (cost < MIN_COST || cost > MAX_COST) {
      throw new RoutingException(
          what + " " + cost + " is outside [" + MIN_COST + ", " + MAX_COST + "]");
    }
    return cost;
  }

  /**
   * One live link of the origin.
   *
   * @param neighbour the node at the other end
   * @param cost the origin's cost for sending over it, 1..2^32-1
   */
  public record Link(String neighbour, long cost) {
    public Link {
      requireNodeId(neighbour, "link neighbour");
      requireCost(cost, "cost of link to " + neighbour);
    }
  }
}
