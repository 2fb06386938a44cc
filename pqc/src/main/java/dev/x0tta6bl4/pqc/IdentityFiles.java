package dev.x0tta6bl4.pqc;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes identity material as PEM files, and names the files of the standard
 * layout.
 *
 * <p>Layout of a node identity directory ({@link #writeNodeIdentity}): {@value #NODE_KEY}
 * (PKCS#8 private key, mode 0600), {@value #NODE_CHAIN} (certificate chain, leaf first, 0644)
 * and {@value #TRUST_BUNDLE} (trust anchors, 0644). The mesh CA directory holds {@value
 * #CA_KEY} (0600), {@value #CA_CERT} and {@value #TRUST_BUNDLE}. Directories created here get
 * mode 0700.
 *
 * <p>Every write goes to a temporary file in the target directory, created with its final
 * permissions, forced to disk and renamed over the target atomically, so a reader sees either
 * the old or the new file, never a half-written one, and a private key is never readable by
 * others even for an instant. Private keys require a POSIX file system. Key material is never
 * logged. Stateless and thread-safe.
 */
public final class IdentityFiles {

  /** Mesh CA private key file name. */
  public static final String CA_KEY = "ca-key.pem";
  /** Mesh CA certificate file name. */
  public static final String CA_CERT = "ca-cert.pem";
  /** Node private key file name. */
  public static final String NODE_KEY = "node-key.pem";
  /** Node certificate chain file name (leaf first). */
  public static final String NODE_CHAIN = "node-chain.pem";
  /** Trust bundle file name. */
  public static final String TRUST_BUNDLE = "trust-bundle.pem";

  /** Largest PEM file read; identity files are a few KB (ML-DSA chains ~16 KB). */
  public static final int MAX_FILE_BYTES = 1 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(IdentityFiles.class);
  private static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC_MODE =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

  private IdentityFiles() {}

  /** Writes a private key as PKCS#8 PEM with mode 0600, atomically. */
  public static void writePrivateKey(Path file, PrivateKey key) {
    byte[] der = key.getEncoded();
    if (der == null) {
      throw new PqcException("private key of algorithm " + key.getAlgorithm() + " has no encoding");
    }
    byte[] pem = pem("PRIVATE KEY", der);
    try {
      writeAtomically(file, pem, KEY_MODE);
    } finally {
      Arrays.fill(der, (byte) 0);
      Arrays.fill(pem, (byte) 0);
    }
  }

  /** Writes certificates (a chain leaf first, or a trust bundle) as PEM with mode 0644. */
  public static void writeCertificates(Path file, List<X509Certificate> certificates) {
    writeAtomically(
        file, certificatesPem(certificates).getBytes(StandardCharsets.US_ASCII), PUBLIC_MODE);
  }

  /** Certificates as PEM text, in order (e.g. a trust bundle to print). */
  public static String certificatesPem(List<X509Certificate> certificates) {
    StringBuilder text = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      try {
        text.append(new String(pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII));
      } catch (CertificateEncodingException e) {
        throw new PqcException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
      }
    }
    return text.toString();
  }

  /** Reads a PEM private key (PKCS#8, or a traditional EC/RSA key) as a Bouncy Castle key. */
  public static PrivateKey readPrivateKey(Path file) {
    warnIfKeyReadableByOthers(file);
    return parsePrivateKey(readBounded(file), file.toString());
  }

  /** Reads all PEM certificates of a file, in file order; at least one is required. */
  public static List<X509Certificate> readCertificates(Path file) {
    return parseCertificates(readBounded(file), file.toString());
  }

  /** Writes a node identity in the standard layout: key, chain and trust bundle. */
  public static void writeNodeIdentity(Path directory, NodeIdentity identity) {
    createPrivateDirectory(directory);
    // Bundle first, key last: a watcher that sees the new key sees a chain no older than it.
    writeCertificates(directory.resolve(TRUST_BUNDLE), identity.trustBundle());
    writeCertificates(directory.resolve(NODE_CHAIN), identity.certificateChain());
    writePrivateKey(directory.resolve(NODE_KEY), identity.privateKey());
  }

  /** Reads a node identity from the standard layout; the key must match the leaf. */
  public static NodeIdentity readNodeIdentity(Path directory) {
    Path keyFile = directory.resolve(NODE_KEY);
    NodeIdentity identity =
        new NodeIdentity(
            readPrivateKey(keyFile),
            readCertificates(directory.resolve(NODE_CHAIN)),
            readCertificates(directory.resolve(TRUST_BUNDLE)));
    requireKeyMatchesLeaf(identity, keyFile.toString());
    return identity;
  }

  /** Creates a directory (and parents) with mode 0700 where it does not exist yet. */
  public static void createPrivateDirectory(Path directory) {
    if (Files.isDirectory(directory)) {
      return;
    }
    try {
      FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(DIR_MODE);
      Files.createDirectories(directory, mode);
    } catch (FileAlreadyExistsException e) {
      throw new PqcException("identity directory " + directory + " exists but is not a directory", e);
    } catch (UnsupportedOperationException e) {
      throw new PqcException(
          "identity directory " + directory + " is not on a POSIX file system; permissions cannot be"
              + " restricted", e);
    } catch (IOException e) {
      throw new PqcException("cannot create identity directory " + directory + ": " + e, e);
    }
  }

  static void requireKeyMatchesLeaf(NodeIdentity identity, String source) {
    if (!Keys.matches(identity.privateKey(), identity.leaf().getPublicKey())) {
      throw new PqcException(
          "private key " + source + " (" + identity.privateKey().getAlgorithm()
              + ") does not match the public key of leaf certificate "
              + identity.leaf().getSubjectX500Principal().getName());
    }
  }

  static byte[] readBounded(Path file) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new PqcException(
            "identity file " + file + " is " + size + " bytes; at most " + MAX_FILE_BYTES
                + " expected");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new PqcException("cannot read identity file " + file + ": " + e, e);
    }
  }

  static PrivateKey parsePrivateKey(byte[] pem, String source) {
    Object object = readSinglePemObject(pem, source);
    PrivateKeyInfo info;
    if (object instanceof PrivateKeyInfo) {
      info = (PrivateKeyInfo) object;
    } else if (object instanceof PEMKeyPair) {
      info = ((PEMKeyPair) object).getPrivateKeyInfo();
    } else {
      throw new PqcException(
          "identity file " + source + " holds " + describe(object)
              + "; expected an unencrypted PEM private key (PKCS#8 'PRIVATE KEY')");
    }
    try {
      return new JcaPEMKeyConverter().setProvider(CryptoProviders.install().bouncyCastle()).getPrivateKey(info);
    } catch (IOException | RuntimeException e) {
      // No cause attached: a decoder's message may quote key bytes.
      throw new PqcException(
          "identity file " + source + " holds a private key of algorithm "
              + info.getPrivateKeyAlgorithm().getAlgorithm() + " that cannot be decoded ("
              + e.getClass().getSimpleName() + ")");
    }
  }

  static List<X509Certificate> parseCertificates(byte[] pem, String source) {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter =
        new JcaX509CertificateConverter().setProvider(CryptoProviders.install().bouncyCastle());
    try (PEMParser parser = parser(pem)) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (!(object instanceof X509CertificateHolder)) {
          throw new PqcException(
              "identity file " + source + " holds " + describe(object) + "; expected only certificates");
        }
        certificates.add(converter.getCertificate((X509CertificateHolder) object));
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      if (e instanceof PqcException) {
        throw (PqcException) e;
      }
      throw new PqcException("identity file " + source + " is not valid PEM: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new PqcException("identity file " + source + " holds no PEM certificate");
    }
    return List.copyOf(certificates);
  }

  private static Object readSinglePemObject(byte[] pem, String source) {
    try (PEMParser parser = parser(pem)) {
      Object object = parser.readObject();
      if (object == null) {
        throw new PqcException("identity file " + source + " holds no PEM object");
      }
      return object;
    } catch (IOException | RuntimeException e) {
      if (e instanceof PqcException) {
        throw (PqcException) e;
      }
      // The message of a key parse failure may quote key bytes: never include it.
      throw new PqcException(
          "identity file " + source + " is not a valid PEM private key (" + e.getClass().getSimpleName()
              + ")");
    }
  }

  private static PEMParser parser(byte[] pem) {
    Reader reader = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
    return new PEMParser(reader);
  }

  private static String describe(Object object) {
    return object == null ? "nothing" : "a " + object.getClass().getSimpleName();
  }

  private static byte[] pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    String text = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static void writeAtomically(Path file, byte[] content, Set<PosixFilePermission> mode) {
    Path target = file.toAbsolutePath();
    Path directory = target.getParent();
    createPrivateDirectory(directory);
    Path temp = null;
    try {
      temp = Files.createTempFile(directory, "." + target.getFileName(), ".tmp",
          PosixFilePermissions.asFileAttribute(mode));
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      // createTempFile applies the umask; set the mode explicitly (it can only narrow here).
      Files.setPosixFilePermissions(temp, mode);
      moveAtomically(temp, target);
      temp = null;
      syncDirectory(directory);
    } catch (UnsupportedOperationException e) {
      throw new PqcException("cannot write " + file + ": not a POSIX file system", e);
    } catch (IOException e) {
      throw new PqcException("cannot write " + file + ": " + e, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          LOG.warn("could not delete temporary file {}: {}", temp, e.toString());
        }
      }
    }
  }

  private static void moveAtomically(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("file system of " + target + " cannot rename atomically", e);
    }
  }

  private static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open or sync a directory; the rename already happened.
      LOG.debug("directory {} could not be synced: {}", directory, e.toString());
    }
  }

  static void warnIfKeyReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (mode.contains(PosixFilePermission.OTHERS_READ) || mode.contains(PosixFilePermission.GROUP_READ)
          || mode.contains(PosixFilePermission.OTHERS_WRITE) || mode.contains(PosixFilePermission.GROUP_WRITE)) {
        LOG.warn("private key file {} has mode {}; expected rw------- (0600)",
            file, PosixFilePermissions.toString(mode));
      }
    } catch (UnsupportedOperationException | IOException e) {
      LOG.debug("cannot read permissions of {}: {}", file, e.toString());
    }
  }
}
