package dev.x0tta6bl4.node.transport;

import dev.x0tta6bl4.node.transport.Frame.Goodbye;
import dev.x0tta6bl4.node.transport.Frame.Heartbeat;
import dev.x0tta6bl4.node.transport.Frame.HeartbeatAck;
import dev.x0tta6bl4.node.transport.Frame.Hello;
import dev.x0tta6bl4.node.transport.Frame.ProbeRequest;
import dev.x0tta6bl4.node.transport.Frame.ProbeResult;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators of valid frames, covering every field up to its cap. */
final class FrameArbitraries {
  private static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

  private FrameArbitraries() {}

  static Arbitrary<Frame> frames() {
    return Arbitraries.oneOf(
        hellos(),
        Combinators.combine(longs(), longs()).as(Heartbeat::new),
        Combinators.combine(longs(), longs(), longs()).as(HeartbeatAck::new),
        Combinators.combine(longs(), nodeIds()).as(ProbeRequest::new),
        Combinators.combine(longs(), nodeIds(), Arbitraries.of(ProbeOutcome.class))
            .as(ProbeResult::new),
        Combinators.combine(Arbitraries.of(GoodbyeReason.class), text(128)).as(Goodbye::new),
        Combinators.combine(
                Arbitraries.of(FrameType.LINK_STATE_ADVERT, FrameType.DATA, FrameType.DATA_ACK,
                    FrameType.BROADCAST),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300))
            .as(Frame.Opaque::new));
  }

  static Arbitrary<Frame> hellos() {
    Arbitrary<Integer> min = Arbitraries.integers().between(1, 255);
    return Combinators.combine(nodeIds(), spiffeIds(), min, Arbitraries.integers()
            .between(0, 254), longs(), listenAddresses(), longs())
        .as((id, spiffe, lo, span, caps, addr, boot) ->
            new Hello(id, spiffe, lo, Math.min(255, lo + span), caps, addr, boot));
  }

  static Arbitrary<Long> longs() {
    return Arbitraries.oneOf(
        Arbitraries.longs(), Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
  }

  static Arbitrary<String> nodeIds() {
    Arbitrary<Character> edge = Arbitraries.of(chars(ALNUM));
    Arbitrary<String> middle = Arbitraries.strings().withChars(ALNUM + "._-").ofMaxLength(61);
    return Arbitraries.oneOf(
        edge.map(String::valueOf),
        Combinators.combine(edge, middle, edge).as((a, m, b) -> a + m + b));
  }

  static Arbitrary<String> spiffeIds() {
    Arbitrary<String> domain = Arbitraries.strings().withChars(ALNUM + ".-").ofMinLength(1)
        .ofMaxLength(40).filter(d -> !d.startsWith(".") && !d.endsWith(".")
            && !d.contains(".."))
        .map(d -> "t" + d);
    return Combinators.combine(domain, nodeIds())
        .as((d, id) -> "spiffe://" + d + "/node/" + id);
  }

  static Arbitrary<String> listenAddresses() {
    Arbitrary<Integer> port = Arbitraries.integers().between(1, 65_535);
    Arbitrary<String> ipv4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
        .map(parts -> parts.stream().map(String::valueOf).collect(Collectors.joining(".")));
    Arbitrary<String> name = Arbitraries.strings().withChars(ALNUM).ofMinLength(1)
        .ofMaxLength(63).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l))
        .filter(h -> !h.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
    Arbitrary<String> ipv6 = Arbitraries.of("[::1]", "[fe80::1]", "[2001:db8::42:1]", "[::]");
    return Combinators.combine(Arbitraries.oneOf(ipv4, name, ipv6), port)
        .as((host, p) -> host + ":" + p);
  }

  /** Well-formed Unicode text of up to {@code maxCodePoints} (4 UTF-8 bytes at most each). */
  static Arbitrary<String> text(int maxCodePoints) {
    Arbitrary<Integer> codePoint = Arbitraries.oneOf(
        Arbitraries.integers().between(0x20, 0x7e),
        Arbitraries.integers().between(0, 0x10ffff)
            .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE));
    return codePoint.list().ofMaxSize(maxCodePoints).map(cps -> {
      StringBuilder b = new StringBuilder();
      cps.forEach(b::appendCodePoint);
      return b.toString();
    });
  }

  private static List<Character> chars(String s) {
    return s.chars().mapToObj(c -> (char) c).toList();
  }
}
