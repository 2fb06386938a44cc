package dev.x0tta6bl4.pqc;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Checks that the four Bouncy Castle jars (bcprov, bcpkix, bcutil, bctls) on the class path
 * report one and the same version: mixing them fails at run time in ways that look like
 * protocol errors, so start-up refuses instead.
 *
 * <p>{@link #readJarVersions()} reads each jar's {@code Bundle-Version} from the manifest of
 * the jar that holds a class known to live in it; {@link #check(Map)} is a pure function so
 * tests can feed it versions. Stateless; any thread.
 */
public final class BcVersionLock {

  /** The jar name and a class that only that jar ships. */
  private static final Map<String, String> MARKER_CLASSES = markers();

  private BcVersionLock() {}

  private static Map<String, String> markers() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("bcprov", "org.bouncycastle.jce.provider.BouncyCastleProvider");
    m.put("bcpkix", "org.bouncycastle.cert.X509v3CertificateBuilder");
    m.put("bcutil", "org.bouncycastle.asn1.cmp.PKIMessage");
    m.put("bctls", "org.bouncycastle.jsse.provider.BouncyCastleJsseProvider");
    return Map.copyOf(m);
  }

  /**
   * Reads the version of every Bouncy Castle jar, in a sorted map of jar name to version.
   *
   * @throws CryptoStackException if a jar is missing or its version cannot be read
   */
  public static Map<String, String> readJarVersions() {
    Map<String, String> versions = new TreeMap<>();
    for (Map.Entry<String, String> e : MARKER_CLASSES.entrySet()) {
      versions.put(e.getKey(), versionOf(e.getKey(), e.getValue()));
    }
    return versions;
  }

  /** Reads the versions and checks them; returns the single common version. */
  public static String verifyClassPath() {
    return check(readJarVersions());
  }

  /**
   * Returns the common version of {@code jarVersions} (jar name to version).
   *
   * @throws CryptoStackException naming the differing versions and which jars carry each
   */
  public static String check(Map<String, String> jarVersions) {
    if (jarVersions.isEmpty()) {
      throw new CryptoStackException("no Bouncy Castle jar versions to check, expected 4");
    }
    Map<String, StringBuilder> jarsByVersion = new TreeMap<>();
    new TreeMap<>(jarVersions)
        .forEach(
            (jar, version) -> {
              StringBuilder jars = jarsByVersion.computeIfAbsent(version, v -> new StringBuilder());
              jars.append(jars.length() == 0 ? "" : ", ").append(jar);
            });
    if (jarsByVersion.size() > 1) {
      StringBuilder msg = new StringBuilder("Bouncy Castle jars disagree on their version:");
      jarsByVersion.forEach(
          (version, jars) -> msg.append(' ').append(version).append(" (").append(jars).append(')'));
      msg.append("; all of bcprov, bcpkix, bcutil and bctls must be the same version");
      throw new CryptoStackException(msg.toString());
    }
    return jarsByVersion.keySet().iterator().next();
  }

  private static String versionOf(String jar, String className) {
    Class<?> marker;
    try {
      marker = Class.forName(className, false, BcVersionLock.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new CryptoStackException(
          "Bouncy Castle jar " + jar + " is not on the class path (missing " + className + ")", e);
    }
    return manifestVersion(marker)
        .or(() -> Optional.ofNullable(marker.getPackage().getImplementationVersion()))
        .orElseThrow(
            () ->
                new CryptoStackException(
                    "cannot read the version of Bouncy Castle jar "
                        + jar
                        + " (no Bundle-Version in the manifest of the jar holding "
                        + className
                        + ")"));
  }

  private static Optional<String> manifestVersion(Class<?> marker) {
    CodeSource source = marker.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    try {
      Path path = Path.of(source.getLocation().toURI());
      if (!Files.isRegularFile(path)) {
        return Optional.empty();
      }
      try (JarFile jarFile = new JarFile(path.toFile())) {
        Manifest manifest = jarFile.getManifest();
        return manifest == null
            ? Optional.empty()
            : Optional.ofNullable(manifest.getMainAttributes().getValue("Bundle-Version"));
      }
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      throw new CryptoStackException(
          "cannot read the manifest of " + source.getLocation() + ": " + e.getMessage(), e);
    }
  }
}
