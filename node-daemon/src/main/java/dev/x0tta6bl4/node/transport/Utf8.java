package dev.x0tta6bl4.node.transport;

/** UTF-8 helpers for frame text. Stateless. */
final class Utf8 {
  private Utf8() {}

  /**
   * {@code text} made encodable and cut to at most {@code maxBytes} UTF-8 bytes without
   * splitting a character: null becomes "", unpaired surrogates become '?'.
   */
  static String truncate(String text, int maxBytes) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), maxBytes));
    int bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int chars = Character.charCount(cp);
      if (Character.isSurrogate((char) cp) && chars == 1) {
        cp = '?';
      }
      int need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + need > maxBytes) {
        break;
      }
      out.appendCodePoint(cp);
      bytes += need;
      i += chars;
    }
    return out.toString();
  }
}
