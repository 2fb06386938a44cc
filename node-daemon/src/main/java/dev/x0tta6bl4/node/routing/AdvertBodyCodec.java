package dev.x0tta6bl4.node.routing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The strict encoder and decoder of {@link LinkStateAdvert} bodies. Stateless. */
final class AdvertBodyCodec {
  private static final int FIXED_BYTES = 1 + 1 + 8 + 4 + 2;

  private AdvertBodyCodec() {}

  static byte[] encode(LinkStateAdvert advert) {
    int size = FIXED_BYTES + advert.origin().length();
    for (LinkStateAdvert.Link link : advert.links()) {
      size += 1 + link.neighbour().length() + 4;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) LinkStateAdvert.VERSION);
    putId(out, advert.origin());
    out.putLong(advert.sequence());
    out.putInt((int) advert.maxAgeMillis());
    out.putShort((short) advert.links().size());
    for (LinkStateAdvert.Link link : advert.links()) {
      putId(out, link.neighbour());
      out.putInt((int) link.cost());
    }
    return out.array();
  }

  static LinkStateAdvert decode(byte[] body) {
    try {
      return decodeStrictly(body);
    } catch (RoutingCodecException e) {
      throw e;
    } catch (RoutingException e) {
      throw new RoutingCodecException(e.getMessage(), e);
    }
  }

  private static LinkStateAdvert decodeStrictly(byte[] body) {
    if (body == null) {
      throw new RoutingCodecException("advert body is null");
    }
    if (body.length > LinkStateAdvert.MAX_ENCODED_BYTES) {
      throw new RoutingCodecException(
          "advert body is " + body.length + " bytes; at most " + LinkStateAdvert.MAX_ENCODED_BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(body);
    need(in, 1, "version");
    int version = in.get() & 0xFF;
    if (version != LinkStateAdvert.VERSION) {
      throw new RoutingCodecException(
          "advert body version " + version + " is unknown; expected " + LinkStateAdvert.VERSION);
    }
    String origin = readId(in, "origin");
    need(in, 8 + 4 + 2, "sequence, max-age and link count");
    long sequence = in.getLong();
    long maxAge = in.getInt() & 0xFFFF_FFFFL;
    if (maxAge < LinkStateAdvert.MIN_MAX_AGE_MILLIS || maxAge > LinkStateAdvert.MAX_MAX_AGE_MILLIS) {
      throw new RoutingCodecException(
          "advert max-age " + maxAge + " ms is outside [" + LinkStateAdvert.MIN_MAX_AGE_MILLIS
              + ", " + LinkStateAdvert.MAX_MAX_AGE_MILLIS + "] ms");
    }
    int count = in.getShort() & 0xFFFF;
    if (count > LinkStateAdvert.MAX_LINKS) {
      throw new RoutingCodecException(
          "advert link count " + count + " exceeds " + LinkStateAdvert.MAX_LINKS);
    }
    List<LinkStateAdvert.Link> links = new ArrayList<>(count);
    String previous = null;
    for (int i = 0; i < count; i++) {
      String neighbour = readId(in, "neighbour " + i);
      need(in, 4, "cost of neighbour " + i);
      long cost = in.getInt() & 0xFFFF_FFFFL;
      if (cost < LinkStateAdvert.MIN_COST) {
        throw new RoutingCodecException("cost of link to " + neighbour + " is 0; at least 1");
      }
      if (neighbour.equals(origin)) {
        throw new RoutingCodecException("advert of " + origin + " lists a link to itself");
      }
      if (previous != null && previous.compareTo(neighbour) >= 0) {
        throw new RoutingCodecException(
            "neighbour " + neighbour + " follows " + previous + "; links must be in strictly"
                + " ascending id order");
      }
      previous = neighbour;
      links.add(new LinkStateAdvert.Link(neighbour, cost));
    }
    if (in.hasRemaining()) {
      throw new RoutingCodecException(
          in.remaining() + " bytes follow the last link of the advert of " + origin);
    }
    return new LinkStateAdvert(origin, sequence, maxAge, links);
  }

  private static void putId(ByteBuffer out, String id) {
    out.put((byte) id.length());
    for (int i = 0; i < id.length(); i++) {
      out.put((byte) id.charAt(i));
    }
  }

  private static String readId(ByteBuffer in, String what) {
    need(in, 1, what + " length");
    int length = in.get() & 0xFF;
    if (length == 0 || length > LinkStateAdvert.MAX_NODE_ID_LENGTH) {
      throw new RoutingCodecException(
          what + " length " + length + " is outside [1, " + LinkStateAdvert.MAX_NODE_ID_LENGTH + "]");
    }
    need(in, length, what);
    String id = new String(body(in), in.position(), length, StandardCharsets.ISO_8859_1);
    in.position(in.position() + length);
    if (!LinkStateAdvert.isValidNodeId(id)) {
      throw new RoutingCodecException(what + " '" + printable(id) + "' is not a valid node id");
    }
    return id;
  }

  private static byte[] body(ByteBuffer in) {
    return in.array();
  }

  private static void need(ByteBuffer in, int bytes, String what) {
    if (in.remaining() < bytes) {
      throw new RoutingCodecException(
          "advert body ends before " + what + ": " + bytes + " bytes needed, " + in.remaining()
              + " left");
    }
  }

  private static String printable(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      out.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return out.toString();
  }
}
