package dev.x0tta6bl4.pqc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How mesh links use TLS: which post-quantum key exchange, whether classical-only peers are
 * tolerated, whether ML-DSA-65 certificates are accepted, and the handshake timeout. TLS 1.3,
 * mutual authentication and the AES-GCM suites are not settings: they are always on.
 *
 * <p>Immutable; build with {@link #builder()} or copy with {@link #toBuilder()}.
 */
public final class TlsSettings {

  /** The key-exchange group offered first (and as the only early key share). */
  public enum KeyExchange {
    /** X25519MLKEM768: classical X25519 and ML-KEM-768 together (the default). */
    HYBRID_X25519_MLKEM768("X25519MLKEM768"),
    /** MLKEM768 alone. */
    PURE_MLKEM768("MLKEM768");

    private final String groupName;

    KeyExchange(String groupName) {
      this.groupName = groupName;
    }

    /** The TLS named-group name as Bouncy Castle spells it. */
    public String groupName() {
      return groupName;
    }
  }

  /** The classical group accepted only with {@link Builder#allowClassicalKeyExchange}. */
  public static final String CLASSICAL_GROUP = "x25519";

  /** The TLS 1.3 cipher suites meshd uses: AES-GCM only (AES-NI in the JDK; never ChaCha20). */
  public static final List<String> CIPHER_SUITES =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");

  private final KeyExchange keyExchange;
  private final boolean allowClassicalKeyExchange;
  private final boolean mlDsaCertificates;
  private final Duration handshakeTimeout;

  private TlsSettings(Builder b) {
    this.keyExchange = b.keyExchange;
    this.allowClassicalKeyExchange = b.allowClassicalKeyExchange;
    this.mlDsaCertificates = b.mlDsaCertificates;
    this.handshakeTimeout = b.handshakeTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: hybrid X25519MLKEM768 only, no classical fallback, Ed25519 certificates. */
  public static TlsSettings defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    return new Builder()
        .keyExchange(keyExchange)
        .allowClassicalKeyExchange(allowClassicalKeyExchange)
        .mlDsaCertificates(mlDsaCertificates)
        .handshakeTimeout(handshakeTimeout);
  }

  public KeyExchange keyExchange() {
    return keyExchange;
  }

  public boolean allowClassicalKeyExchange() {
    return allowClassicalKeyExchange;
  }

  public boolean mlDsaCertificates() {
    return mlDsaCertificates;
  }

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** The named groups set on every engine, most preferred first. */
  public List<String> namedGroups() {
    List<String> groups = new ArrayList<>();
    groups.add(keyExchange.groupName());
    if (allowClassicalKeyExchange) {
      groups.add(CLASSICAL_GROUP);
    }
    return List.copyOf(groups);
  }

  /** The single key share a client sends in its first ClientHello. */
  public String earlyKeyShare() {
    return keyExchange.groupName();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsSettings
        && ((TlsSettings) o).keyExchange == keyExchange
        && ((TlsSettings) o).allowClassicalKeyExchange == allowClassicalKeyExchange
        && ((TlsSettings) o).mlDsaCertificates == mlDsaCertificates
        && ((TlsSettings) o).handshakeTimeout.equals(handshakeTimeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyExchange, allowClassicalKeyExchange, mlDsaCertificates, handshakeTimeout);
  }

  @Override
  public String toString() {
    return "TlsSettings{keyExchange=" + keyExchange + ", allowClassicalKeyExchange="
        + allowClassicalKeyExchange + ", mlDsaCertificates=" + mlDsaCertificates
        + ", handshakeTimeout=" + handshakeTimeout + "}";
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private KeyExchange keyExchange = KeyExchange.HYBRID_X25519_MLKEM768;
    private boolean allowClassicalKeyExchange;
    private boolean mlDsaCertificates;
    private Duration handshakeTimeout = Duration.ofSeconds(10);

    private Builder() {}

    public Builder keyExchange(KeyExchange keyExchange) {
      this.keyExchange = Objects.requireNonNull(keyExchange, "keyExchange");
      return this;
    }

    /** Also accept (and offer, without an early share) classical x25519. Off by default. */
    public Builder allowClassicalKeyExchange(boolean allow) {
      this.allowClassicalKeyExchange = allow;
      return this;
    }

    /** Enable the {@code mldsa65} signature scheme on both sides. Off by default. */
    public Builder mlDsaCertificates(boolean enabled) {
      this.mlDsaCertificates = enabled;
      return this;
    }

    public Builder handshakeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "handshakeTimeout");
      if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new TlsSetupException(
            "handshakeTimeout " + timeout + " is out of range, expected > 0 and <= PT5M");
      }
      this.handshakeTimeout = timeout;
      return this;
    }

    public TlsSettings build() {
      return new TlsSettings(this);
    }
  }
}
