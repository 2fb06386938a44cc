package dev.x0tta6bl4.pqc;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link IdentitySource} over three PEM files: private key, certificate chain (leaf first)
 * and trust bundle, written by the mesh CA ({@link IdentityFiles#writeNodeIdentity}) or by an
 * external issuer such as SPIRE's helper or cert-manager.
 *
 * <p>{@link #reloadIfChanged()} reads the three files, and when their combined SHA-256
 * differs from the loaded set parses them, checks that the private key signs for the leaf's
 * public key, swaps the identity atomically and calls the rotation listeners. A set that does
 * not parse or whose key does not match the leaf (typically files caught half-way through a
 * rotation) keeps the previous identity, logs one error line and bumps {@link
 * #reloadFailures()}; the same broken content (or the same read error) is reported once. {@link #start} runs the
 * check periodically on an injected scheduler and never lets an exception escape into it.
 *
 * <p>Threads: {@link #current()} from any thread; reloads are serialised and listeners run on
 * the reloading thread (the scheduler's, or the caller's). The owner closes it, which stops
 * the periodic check (idempotent).
 */
public final class FileIdentitySource implements IdentitySource {

  private static final Logger LOG = LoggerFactory.getLogger(FileIdentitySource.class);

  private final Path keyFile;
  private final Path chainFile;
  private final Path bundleFile;
  private final List<Consumer<NodeIdentity>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong reloadFailures = new AtomicLong();
  private final AtomicLong rotations = new AtomicLong();
  private final Object reloadLock = new Object();

  private volatile NodeIdentity current;
  private byte[] loadedDigest;
  private String lastFailure;
  private ScheduledFuture<?> periodicCheck;
  private boolean closed;

  private FileIdentitySource(Path keyFile, Path chainFile, Path bundleFile) {
    this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    this.chainFile = Objects.requireNonNull(chainFile, "chainFile");
    this.bundleFile = Objects.requireNonNull(bundleFile, "bundleFile");
  }

  /**
   * Opens a source over explicit file paths and loads the identity once.
   *
   * @throws PqcException if the initial set is missing, does not parse or does not match
   */
  public static FileIdentitySource open(Path keyFile, Path chainFile, Path bundleFile) {
    FileIdentitySource source = new FileIdentitySource(keyFile, chainFile, bundleFile);
    IdentityFiles.warnIfKeyReadableByOthers(keyFile);
    synchronized (source.reloadLock) {
      FileSet files = source.readFiles();
      source.current = source.parse(files);
      source.loadedDigest = files.digest;
    }
    return source;
  }

  /** Opens a source over the standard layout of {@link IdentityFiles} in {@code directory}. */
  public static FileIdentitySource open(Path directory) {
    return open(
        directory.resolve(IdentityFiles.NODE_KEY),
        directory.resolve(IdentityFiles.NODE_CHAIN),
        directory.resolve(IdentityFiles.TRUST_BUNDLE));
  }

  @Override
  public NodeIdentity current() {
    return current;
  }

  @Override
  public void onRotation(Consumer<NodeIdentity> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Reloads the files if their content changed.
   *
   * @return true if a new identity was installed
   */
  public boolean reloadIfChanged() {
    NodeIdentity installed;
    synchronized (reloadLock) {
      FileSet files;
      try {
        files = readFiles();
      } catch (PqcException e) {
        reportFailure("unreadable: " + e.getMessage(), e);
        return false;
      }
      if (Arrays.equals(files.digest, loadedDigest)) {
        lastFailure = null;
        return false;
      }
      String contentKey = "content: " + HexFormat.of().formatHex(files.digest);
      if (contentKey.equals(lastFailure)) {
        return false;
      }
      try {
        installed = parse(files);
      } catch (PqcException e) {
        reportFailure(contentKey, e);
        return false;
      }
      current = installed;
      loadedDigest = files.digest;
      lastFailure = null;
      rotations.incrementAndGet();
      LOG.info(
          "identity rotated: leaf {} serial {} valid until {}",
          subject(installed.leaf()),
          installed.leaf().getSerialNumber().toString(16),
          installed.leaf().getNotAfter().toInstant());
      for (Consumer<NodeIdentity> listener : listeners) {
        try {
          listener.accept(installed);
        } catch (RuntimeException e) {
          LOG.error("identity rotation listener {} failed", listener, e);
        }
      }
    }
    return true;
  }

  /**
   * Checks for changed files every {@code period} on {@code scheduler}. The scheduler belongs
   * to the caller; {@link #close()} cancels the check.
   */
  public void start(ScheduledExecutorService scheduler, Duration period) {
    Objects.requireNonNull(scheduler, "scheduler");
    if (period.isZero() || period.isNegative()) {
      throw new PqcException("identity reload period " + period + " must be positive");
    }
    synchronized (reloadLock) {
      if (closed) {
        throw new PqcException("identity source over " + keyFile + " is closed");
      }
      if (periodicCheck != null) {
        throw new PqcException("identity source over " + keyFile + " is already started");
      }
      long millis = period.toMillis();
      periodicCheck =
          scheduler.scheduleWithFixedDelay(this::safeReload, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /** Reload attempts that found a new but unusable file set (or unreadable files). */
  public long reloadFailures() {
    return reloadFailures.get();
  }

  /** Successful rotations since opening. */
  public long rotations() {
    return rotations.get();
  }

  @Override
  public void close() {
    synchronized (reloadLock) {
      closed = true;
      if (periodicCheck != null) {
        periodicCheck.cancel(false);
        periodicCheck = null;
      }
    }
  }

  @Override
  public String toString() {
    return "FileIdentitySource[key=" + keyFile + ", chain=" + chainFile + ", bundle=" + bundleFile + "]";
  }

  private void safeReload() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      // Never let an exception cancel the periodic task; it is counted like a failed reload.
      reloadFailures.incrementAndGet();
      LOG.error("identity reload from {} failed unexpectedly", keyFile.getParent(), e);
    }
  }

  /** Counts and logs a failure once per distinct cause, so a stuck bad file does not flood. */
  private void reportFailure(String failureKey, PqcException e) {
    if (failureKey.equals(lastFailure)) {
      return;
    }
    lastFailure = failureKey;
    reloadFailures.incrementAndGet();
    LOG.error(
        "identity reload rejected, keeping leaf {}: {}", subject(current.leaf()), e.getMessage());
  }

  private FileSet readFiles() {
    byte[] key = IdentityFiles.readBounded(keyFile);
    byte[] chain = IdentityFiles.readBounded(chainFile);
    byte[] bundle = IdentityFiles.readBounded(bundleFile);
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (byte[] part : List.of(key, chain, bundle)) {
        sha256.update(lengthPrefix(part.length));
        sha256.update(part);
      }
      return new FileSet(key, chain, bundle, sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new PqcException("SHA-256 is not available", e);
    }
  }

  private NodeIdentity parse(FileSet files) {
    try {
      PrivateKey key = IdentityFiles.parsePrivateKey(files.key, keyFile.toString());
      List<X509Certificate> chain = IdentityFiles.parseCertificates(files.chain, chainFile.toString());
      List<X509Certificate> bundle = IdentityFiles.parseCertificates(files.bundle, bundleFile.toString());
      NodeIdentity identity = new NodeIdentity(key, chain, bundle);
      IdentityFiles.requireKeyMatchesLeaf(identity, keyFile.toString());
      return identity;
    } finally {
      Arrays.fill(files.key, (byte) 0);
    }
  }

  private static byte[] lengthPrefix(int length) {
    return new byte[] {
      (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length
    };
  }

  private static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }

  private static final class FileSet {
    final byte[] key;
    final byte[] chain;
    final byte[] bundle;
    final byte[] digest;

    FileSet(byte[] key, byte[] chain, byte[] bundle, byte[] digest) {
      this.key = key;
      this.chain = chain;
      this.bundle = bundle;
      this.digest = digest;
    }
  }
}
