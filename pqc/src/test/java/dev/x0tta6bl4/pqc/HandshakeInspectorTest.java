package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandshakeInspectorTest {

  /** A minimal ClientHello offering one key share of {@code group} (body only). */
  private static byte[] clientHello(int group) {
    ByteBuf b = Unpooled.buffer();
    b.writeShort(0x0303).writeZero(32).writeByte(0).writeShort(2).writeShort(0x1301);
    b.writeByte(1).writeByte(0);
    ByteBuf ext = Unpooled.buffer();
    ext.writeShort(10).writeShort(4).writeShort(2).writeShort(group);
    ext.writeShort(51).writeShort(2 + 4 + 32).writeShort(4 + 32).writeShort(group).writeShort(32)
        .writeZero(32);
    b.writeShort(ext.readableBytes()).writeBytes(ext);
    return handshake(1, b);
  }

  private static byte[] serverHello(int group, boolean retry) {
    ByteBuf b = Unpooled.buffer();
    b.writeShort(0x0303);
    if (retry) {
      b.writeBytes(org.bouncycastle.util.encoders.Hex.decode(
          "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"));
    } else {
      b.writeZero(32);
    }
    b.writeByte(0).writeShort(0x1301).writeByte(0);
    ByteBuf ext = Unpooled.buffer();
    ext.writeShort(43).writeShort(2).writeShort(0x0304);
    if (retry) {
      ext.writeShort(51).writeShort(2).writeShort(group);
    } else {
      ext.writeShort(51).writeShort(4 + 32).writeShort(group).writeShort(32).writeZero(32);
    }
    b.writeShort(ext.readableBytes()).writeBytes(ext);
    return handshake(2, b);
  }

  private static byte[] handshake(int type, ByteBuf body) {
    ByteBuf m = Unpooled.buffer();
    m.writeByte(type).writeMedium(body.readableBytes()).writeBytes(body);
    byte[] out = new byte[m.readableBytes()];
    m.readBytes(out);
    return out;
  }

  private static ByteBuf record(int type, byte[] fragment) {
    return Unpooled.buffer().writeByte(type).writeShort(0x0303).writeShort(fragment.length)
        .writeBytes(fragment);
  }

  @Test
  void observe_helloPairSplitAcrossWrites_recordsHybridGroupAndVersion() {
    HandshakeInspector inspector = new HandshakeInspector();
    EmbeddedChannel ch = new EmbeddedChannel(inspector);
    ByteBuf ch1 = record(22, clientHello(HandshakeObservation.X25519_MLKEM768));
    ch.writeOutbound(ch1.readRetainedSlice(7));
    ch.writeOutbound(ch1);
    ch.writeInbound(record(22, serverHello(HandshakeObservation.X25519_MLKEM768, false)));

    HandshakeObservation seen = inspector.observation();
    assertThat(seen.clientHelloCount()).isEqualTo(1);
    assertThat(seen.offeredKeyShareGroups()).containsExactly(HandshakeObservation.X25519_MLKEM768);
    assertThat(seen.selectedGroupName()).contains("X25519MLKEM768");
    assertThat(seen.negotiatedProtocol()).contains("TLSv1.3");
    assertThat(seen.helloRetryRequestCount()).isZero();
    assertThat(ch.finishAndReleaseAll()).isTrue();
  }

  @Test
  void observe_helloRetryRequest_countedAndSecondClientHelloSeen() {
    HandshakeInspector inspector = new HandshakeInspector();
    EmbeddedChannel ch = new EmbeddedChannel(inspector);
    ch.writeOutbound(record(22, clientHello(HandshakeObservation.X25519)));
    ch.writeInbound(record(22, serverHello(HandshakeObservation.X25519_MLKEM768, true)));
    ch.writeOutbound(record(22, clientHello(HandshakeObservation.X25519_MLKEM768)));
    ch.writeInbound(record(22, serverHello(HandshakeObservation.X25519_MLKEM768, false)));

    HandshakeObservation seen = inspector.observation();
    assertThat(seen.helloRetryRequestCount()).isEqualTo(1);
    assertThat(seen.clientHelloCount()).isEqualTo(2);
    assertThat(seen.offeredKeyShareGroups()).containsExactly(HandshakeObservation.X25519);
    assertThat(seen.selectedGroupName()).contains("X25519MLKEM768");
    ch.finishAndReleaseAll();
  }

  @Test
  void observe_notTls_abandonsAndPassesBytesThrough() {
    HandshakeInspector inspector = new HandshakeInspector();
    EmbeddedChannel ch = new EmbeddedChannel(inspector);
    ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", java.nio.charset.StandardCharsets.US_ASCII));

    assertThat(inspector.observation().abandoned()).get().asString().contains("malformed");
    ByteBuf passed = ch.readInbound();
    assertThat(passed.readableBytes()).isEqualTo(16);
    passed.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void observe_moreThanCap_abandonsWithoutBuffering() {
    HandshakeInspector inspector = new HandshakeInspector(512);
    EmbeddedChannel ch = new EmbeddedChannel(inspector);
    ch.writeInbound(record(22, new byte[600]));

    assertThat(inspector.observation().abandoned()).get().asString().contains("exceeded 512");
    ch.finishAndReleaseAll();
  }

  @Test
  void observe_randomBytes_neverThrowsAndAlwaysForwards() {
    long seed = new Random().nextLong();
    System.out.println("HandshakeInspectorTest seed " + seed);
    Random random = new Random(seed);
    for (int i = 0; i < 200; i++) {
      HandshakeInspector inspector = new HandshakeInspector();
      EmbeddedChannel ch = new EmbeddedChannel(inspector);
      byte[] junk = new byte[random.nextInt(300)];
      random.nextBytes(junk);
      if (junk.length > 3 && random.nextBoolean()) {
        junk[0] = 22;
        junk[1] = 3;
      }
      ch.writeInbound(Unpooled.wrappedBuffer(junk));
      if (junk.length > 0) {
        ByteBuf passed = ch.readInbound();
        assertThat(passed.readableBytes()).as("seed %d", seed).isEqualTo(junk.length);
        passed.release();
      }
      assertThat(inspector.observation()).as("seed %d", seed).isNotNull();
      ch.finishAndReleaseAll();
    }
  }
}
