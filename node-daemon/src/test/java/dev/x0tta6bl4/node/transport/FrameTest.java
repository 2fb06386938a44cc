package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.transport.Frame.Goodbye;
import dev.x0tta6bl4.node.transport.Frame.Hello;
import dev.x0tta6bl4.node.transport.Frame.ProbeRequest;
import dev.x0tta6bl4.node.transport.Frame.ProbeResult;
import io.netty.buffer.ByteBufUtil;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FrameTest {
  private static final String SPIFFE = "spiffe://mesh.example/node/a";

  @Test
  void hello_invalidNodeId_isRejectedNamingTheValue() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("Node_A", SPIFFE, 1, 1, 0, "h:1", 0))
        .withMessageContaining("HELLO nodeId 'Node_A' is not a node id");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("a".repeat(64), SPIFFE, 1, 1, 0, "h:1", 0));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("-a", SPIFFE, 1, 1, 0, "h:1", 0));
  }

  @Test
  void hello_invalidSpiffeId_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("a", "https://x/node/a", 1, 1, 0, "h:1", 0))
        .withMessageContaining("HELLO spiffeId is not a valid SPIFFE ID");
  }

  @Test
  void hello_versionsOutOfRange_areRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("a", SPIFFE, 0, 1, 0, "h:1", 0))
        .withMessageContaining("HELLO minVersion 0 is out of range; expected 1..255");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("a", SPIFFE, 1, 256, 0, "h:1", 0))
        .withMessageContaining("HELLO maxVersion 256");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("a", SPIFFE, 2, 1, 0, "h:1", 0))
        .withMessageContaining("HELLO version range 2..1 is empty");
  }

  @Test
  void hello_badListenAddress_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("a", SPIFFE, 1, 1, 0, "host", 0))
        .withMessageContaining("HELLO listenAddress 'host' is not host:port");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("a", SPIFFE, 1, 1, 0, "127.0.0.1:0", 0))
        .withMessageContaining("has port 0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Hello("a", SPIFFE, 1, 1, 0, "::1:80", 0));
  }

  @Test
  void hello_everyVariableFieldAtItsCap_fillsTheTypeMaximumExactly() {
    String label = "a".repeat(63);
    String host = label + "." + label + "." + label + "." + "a".repeat(61);
    String address = host + ":65535";
    String spiffe = "spiffe://t/" + "b".repeat(FrameFormat.MAX_SPIFFE_ID_BYTES - 11);
    Hello hello = new Hello("n".repeat(63), spiffe, 1, 1, 0, address, 0);

    assertThat(address).hasSize(FrameFormat.MAX_LISTEN_ADDRESS_BYTES);
    assertThat(spiffe).hasSize(FrameFormat.MAX_SPIFFE_ID_BYTES);
    assertThat(FrameEncoder.encodedLength(hello))
        .isEqualTo(8 + FrameType.HELLO.maxBodyLength())
        .as("the figure in docs/protocol.md")
        .isEqualTo(2402);
  }

  @Test
  void probes_invalidTargetOrOutcome_areRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProbeRequest(1, ""))
        .withMessageContaining("PROBE_REQUEST targetNodeId '' is not a node id");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ProbeResult(1, "a", null))
        .withMessageContaining("PROBE_RESULT outcome must not be null");
  }

  @Test
  void goodbye_detailOverCapOrWithLoneSurrogate_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Goodbye(GoodbyeReason.OVERLOADED, "x".repeat(513)))
        .withMessageContaining("GOODBYE detail is 513 UTF-8 bytes; at most 512");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Goodbye(GoodbyeReason.OVERLOADED, "a\ud800b"))
        .withMessageContaining("unpaired surrogate at index 1");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Goodbye(null, ""))
        .withMessageContaining("GOODBYE reason must not be null");
  }

  @Test
  void goodbyeOf_longText_isCutAtACharacterBoundaryWithinTheCap() {
    String euros = "\u20ac".repeat(200); // 3 bytes each: 170 fit in 512
    Goodbye goodbye = Goodbye.of(GoodbyeReason.PROTOCOL_ERROR, euros);
    assertThat(goodbye.detail()).isEqualTo("\u20ac".repeat(170));
    assertThat(ByteBufUtil.utf8Bytes(goodbye.detail())).isEqualTo(510);
  }

  @Test
  void goodbyeOf_nullOrLoneSurrogates_givesSendableText() {
    assertThat(Goodbye.of(GoodbyeReason.NORMAL_SHUTDOWN, null).detail()).isEmpty();
    assertThat(Goodbye.of(GoodbyeReason.NORMAL_SHUTDOWN, "a\udc00b\ud83d\ude00\ud800").detail())
        .isEqualTo("a?b\ud83d\ude00?");
  }

  @Test
  void goodbyeOf_supplementaryCharacterAtTheCap_isNotSplit() {
    String text = "x".repeat(510) + "\ud83d\ude00";
    assertThat(Goodbye.of(GoodbyeReason.NORMAL_SHUTDOWN, text).detail()).isEqualTo("x".repeat(510));
  }

  @Property(tries = 500)
  void nodeIdRule_anyString_agreesWithTheConfigPattern(@ForAll("nodeIdLike") String candidate) {
    boolean valid = NodeConfig.Node.ID_PATTERN.matcher(candidate).matches();
    boolean accepted;
    try {
      FieldRules.nodeId("id", candidate);
      accepted = true;
    } catch (IllegalArgumentException e) {
      accepted = false;
    }
    assertThat(accepted).as("'%s'", candidate).isEqualTo(valid);
  }

  @Provide
  Arbitrary<String> nodeIdLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("abz09._-A/ \u00e9").ofMaxLength(70),
        FrameArbitraries.nodeIds());
  }
}
