package dev.x0tta6bl4.node.api;

/**
 * The key syntax of {@code /v1/kv/{key}}: 1..512 characters of {@code A-Z a-z 0-9 . _ - ~ : @ =}
 * in segments separated by single {@code /}, with no empty, {@code .} or {@code ..} segment (so
 * no leading, trailing or doubled slash). Keys are therefore safe in a URL path as they are,
 * never change under path normalisation by proxies, and read well in logs ({@code
 * config/edge-1/role}). A percent-encoded path is decoded first, so {@code a%2Fb} is the key
 * {@code a/b}. Stateless.
 */
final class KvKeys {
  static final int MAX_LENGTH = 512;
  static final String ALLOWED = "1.." + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ - ~ : @ ="
      + " in segments separated by single '/' (no empty, '.' or '..' segment)";

  private KvKeys() {}

  /**
   * The key of a request path under {@code prefix}.
   *
   * @throws ApiException 400 {@code bad_key} naming what is wrong
   */
  static String fromPath(String path, String prefix) {
    String key = path.substring(prefix.length());
    String problem = problem(key);
    if (problem != null) {
      throw new ApiException(400, "bad_key", problem + "; allowed: " + ALLOWED);
    }
    return key;
  }

  /** What is wrong with {@code key}, or null when it is valid. */
  static String problem(String key) {
    if (key.isEmpty()) {
      return "the key is empty";
    }
    if (key.length() > MAX_LENGTH) {
      return "the key is " + key.length() + " characters long";
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!allowed(c) && c != '/') {
        return "the key contains " + describe(c) + " at position " + i;
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "the key '" + key + "' has an empty, '.' or '..' segment";
      }
    }
    return null;
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-' || c == '~' || c == ':' || c == '@' || c == '=';
  }

  private static String describe(char c) {
    if (c == ' ') {
      return "a space";
    }
    return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }
}
