package dev.x0tta6bl4.pqc;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A SPIFFE ID, {@code spiffe://<trust-domain><path>}, validated per the SPIFFE ID
 * specification: scheme {@code spiffe} in lower case; a non-empty trust domain of
 * {@code [a-z0-9.-_]} with no port, user info or percent-encoding; a path of
 * {@code /}-separated segments of {@code [a-zA-Z0-9.-_]} with no empty, {@code .} or
 * {@code ..} segment and no trailing slash; no query or fragment; at most 2048 bytes.
 *
 * <p>Mesh nodes are named {@code spiffe://<trust-domain>/node/<node-id>} (see {@link
 * #forNode}). An immutable value, safe to share between threads. Invalid input throws
 * {@link PqcException} whose message names the offending value and the rule.
 *
 * @param trustDomain the trust domain name, e.g. {@code mesh.example}
 * @param path the path, empty for the trust domain's own ID, else starting with {@code /}
 */
public record SpiffeId(String trustDomain, String path) {

  /** Maximum length of a SPIFFE ID URI in bytes, per the specification. */
  public static final int MAX_LENGTH = 2048;

  /** Maximum length of a trust domain name, per the specification. */
  public static final int MAX_TRUST_DOMAIN_LENGTH = 255;

  private static final String PREFIX = "spiffe://";
  private static final String NODE_SEGMENT = "node";

  public SpiffeId {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(path, "path");
    String uri = PREFIX + trustDomain + path;
    checkTrustDomain(uri, trustDomain);
    checkPath(uri, path);
    int bytes = uri.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_LENGTH) {
      throw new PqcException(
          "SPIFFE ID '" + abbreviate(uri) + "' is " + bytes + " bytes; at most " + MAX_LENGTH
              + " are allowed");
    }
  }

  /** Parses and validates a SPIFFE ID URI such as {@code spiffe://mesh.example/node/a1}. */
  public static SpiffeId parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (uri.length() > MAX_LENGTH) {
      throw new PqcException(
          "SPIFFE ID '" + abbreviate(uri) + "' is " + uri.length() + " characters; at most "
              + MAX_LENGTH + " are allowed");
    }
    if (!uri.startsWith(PREFIX)) {
      int colon = uri.indexOf(':');
      String scheme = colon < 0 ? "" : uri.substring(0, colon);
      if (scheme.equalsIgnoreCase("spiffe") && !scheme.equals("spiffe")) {
        throw new PqcException(
            "SPIFFE ID '" + uri + "' has scheme '" + scheme + "'; expected lower-case 'spiffe://'");
      }
      throw new PqcException("SPIFFE ID '" + uri + "' does not start with 'spiffe://'");
    }
    String rest = uri.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    return new SpiffeId(trustDomain, path);
  }

  /** The ID of a trust domain itself, {@code spiffe://<trustDomain>}, as used by CA certificates. */
  public static SpiffeId forTrustDomain(String trustDomain) {
    return new SpiffeId(trustDomain, "");
  }

  /** The ID of a mesh node: {@code spiffe://<trustDomain>/node/<nodeId>}. */
  public static SpiffeId forNode(String trustDomain, String nodeId) {
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.indexOf('/') >= 0) {
      throw new PqcException(
          "node id '" + nodeId + "' contains '/'; a node id is a single path segment");
    }
    return new SpiffeId(trustDomain, "/" + NODE_SEGMENT + "/" + nodeId);
  }

  /** Validates a trust domain name on its own (e.g. from configuration). */
  public static String requireValidTrustDomain(String trustDomain) {
    return forTrustDomain(trustDomain).trustDomain();
  }

  /** The node id if this ID has the form {@code /node/<id>}. */
  public Optional<String> nodeId() {
    String nodePrefix = "/" + NODE_SEGMENT + "/";
    if (path.startsWith(nodePrefix) && path.indexOf('/', nodePrefix.length()) < 0) {
      return Optional.of(path.substring(nodePrefix.length()));
    }
    return Optional.empty();
  }

  /** True when this is a trust domain's own ID (empty path). */
  public boolean isTrustDomainId() {
    return path.isEmpty();
  }

  /** True when this ID belongs to {@code otherTrustDomain}. */
  public boolean isMemberOf(String otherTrustDomain) {
    return trustDomain.equals(otherTrustDomain);
  }

  /** The URI string, e.g. {@code spiffe://mesh.example/node/a1}. */
  public String toUri() {
    return PREFIX + trustDomain + path;
  }

  @Override
  public String toString() {
    return toUri();
  }

  private static void checkTrustDomain(String uri, String trustDomain) {
    if (trustDomain.isEmpty()) {
      throw new PqcException("SPIFFE ID '" + uri + "' has an empty trust domain");
    }
    if (trustDomain.length() > MAX_TRUST_DOMAIN_LENGTH) {
      throw new PqcException(
          "SPIFFE ID '" + abbreviate(uri) + "' has a trust domain of " + trustDomain.length()
              + " characters; at most " + MAX_TRUST_DOMAIN_LENGTH + " are allowed");
    }
    for (int i = 0; i < trustDomain.length(); i++) {
      char c = trustDomain.charAt(i);
      if (isTrustDomainChar(c)) {
        continue;
      }
      String what = describeForbidden(c, "trust domain");
      throw new PqcException(
          "SPIFFE ID '" + uri + "' " + what + " (character '" + c + "' at trust domain index " + i
              + "); a trust domain allows only [a-z0-9.-_]");
    }
  }

  private static void checkPath(String uri, String path) {
    if (path.isEmpty()) {
      return;
    }
    if (path.charAt(0) != '/') {
      throw new PqcException("SPIFFE ID '" + uri + "' has path '" + path + "' not starting with '/'");
    }
    if (path.endsWith("/")) {
      throw new PqcException("SPIFFE ID '" + uri + "' has a trailing '/' in its path");
    }
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      checkSegment(uri, path.substring(start, end));
      start = end + 1;
    }
  }

  private static void checkSegment(String uri, String segment) {
    if (segment.isEmpty()) {
      throw new PqcException("SPIFFE ID '" + uri + "' has an empty path segment ('//')");
    }
    if (segment.equals(".") || segment.equals("..")) {
      throw new PqcException(
          "SPIFFE ID '" + uri + "' has a '" + segment + "' path segment; relative segments are not"
              + " allowed");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (!isPathChar(c)) {
        throw new PqcException(
            "SPIFFE ID '" + uri + "' " + describeForbidden(c, "path") + " (character '" + c
                + "' in segment '" + segment + "'); a path segment allows only [a-zA-Z0-9.-_]");
      }
    }
  }

  private static String describeForbidden(char c, String part) {
    switch (c) {
      case ':':
        return part.equals("trust domain") ? "has a port" : "has a ':' in its path";
      case '@':
        return "has user info";
      case '?':
        return "has a query";
      case '#':
        return "has a fragment";
      case '%':
        return "has percent-encoding";
      default:
        if (part.equals("trust domain") && c >= 'A' && c <= 'Z') {
          return "has an upper-case trust domain";
        }
        return "has an invalid " + part + " character";
    }
  }

  private static boolean isTrustDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  private static boolean isPathChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_';
  }

  private static String abbreviate(String value) {
    return value.length() <= 80 ? value : value.substring(0, 80) + "...";
  }
}
