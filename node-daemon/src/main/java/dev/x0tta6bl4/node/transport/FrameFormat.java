package dev.x0tta6bl4.node.transport;

/**
 * Constants of the mesh link wire format (protocol version {@value #PROTOCOL_VERSION}), shared
 * by {@link FrameEncoder} and {@link FrameDecoder}. The full description, with every frame
 * body, is {@code docs/protocol.md}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 length (u32): bytes after this field          |
 * +---------------+---------------+-------------------------------+
 * | version (u8)  |   type (u8)   |          flags (u16)          |
 * +---------------+---------------+-------------------------------+
 * |               type-specific body (length - 4 bytes)         ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>All integers are big-endian; {@code u64} values are carried in a Java {@code long} and
 * compared as unsigned where order matters. A string is {@code u16 byte length} followed by
 * that many bytes of well-formed UTF-8, each field with its own cap (below). A byte array is
 * {@code u32 length} plus bytes, and a list is a count plus elements; both are bounded by the
 * bytes remaining in the frame. {@code length} counts the 4 header bytes and the body, so it is
 * at least {@value #HEADER_LENGTH}, and at most the receiver's maximum frame size ({@value
 * #DEFAULT_MAX_FRAME_SIZE} bytes by default, config {@code mesh.max-frame-size}).
 *
 * <p>Not instantiable; the constants are immutable.
 */
public final class FrameFormat {
  /** The protocol version this build speaks, written in every frame header. */
  public static final int PROTOCOL_VERSION = 1;

  /**
   * HELLO capability bit 0: the sender understands {@code QUARANTINE_NOTICE} (0x11) frames. A
   * node sends that type only to neighbours that set it, so a version-1 peer that predates it
   * (and would reject the type) never receives one.
   */
  public static final long CAPABILITY_QUARANTINE_NOTICES = 1L;

  /** The capability bits this build sets in its HELLO. */
  public static final long LOCAL_CAPABILITIES = CAPABILITY_QUARANTINE_NOTICES;

  /** Bytes of the length prefix. */
  public static final int LENGTH_FIELD_LENGTH = 4;

  /** Bytes of the header after the length prefix: version, type, flags. */
  public static final int HEADER_LENGTH = 4;

  /** The node default for the maximum frame size (the value of {@code length}): 1 MiB. */
  public static final int DEFAULT_MAX_FRAME_SIZE = 1 << 20;

  /** The smallest maximum frame size accepted: every version-1 frame fits in it. */
  public static final int MIN_MAX_FRAME_SIZE = 4 << 10;

  /** The largest maximum frame size accepted: 64 MiB. */
  public static final int MAX_MAX_FRAME_SIZE = 64 << 20;

  /** Cap on a node id in bytes (node ids are 1..63 characters of {@code [a-z0-9._-]}). */
  public static final int MAX_NODE_ID_BYTES = 63;

  /** Cap on a SPIFFE ID in bytes, as in the SPIFFE specification. */
  public static final int MAX_SPIFFE_ID_BYTES = 2048;

  /** Cap on a listen address {@code host:port} in bytes (253-byte host name + ':' + port). */
  public static final int MAX_LISTEN_ADDRESS_BYTES = 259;

  /** Cap on the detail text of a GOODBYE in bytes. */
  public static final int MAX_GOODBYE_DETAIL_BYTES = 512;

  private FrameFormat() {}

  /**
   * Checks a maximum frame size argument.
   *
   * @return {@code maxFrameSize}
   * @throws IllegalArgumentException if it is outside {@value #MIN_MAX_FRAME_SIZE}..{@value
   *     #MAX_MAX_FRAME_SIZE}
   */
  static int requireValidMaxFrameSize(int maxFrameSize) {
    if (maxFrameSize < MIN_MAX_FRAME_SIZE || maxFrameSize > MAX_MAX_FRAME_SIZE) {
      throw new IllegalArgumentException(
          "maxFrameSize " + maxFrameSize + " is out of range; expected " + MIN_MAX_FRAME_SIZE
              + ".." + MAX_MAX_FRAME_SIZE + " bytes");
    }
    return maxFrameSize;
  }
}
