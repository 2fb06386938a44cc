package dev.x0tta6bl4.node.identity;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.pqc.IdentityFiles;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.NodeIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and renews a node's identity with the built-in mesh CA (identity source {@code
 * mesh-ca}): a local CA in {@code ca-dir} issues the node's SVID into {@code dir}.
 *
 * <p>Used by {@code meshd init}, by {@code meshd run} when no identity exists yet, and by the
 * identity service before an SVID expires. Stateless; every call reads the files afresh.
 */
public final class IdentityProvisioner {
  private static final Logger log = LoggerFactory.getLogger(IdentityProvisioner.class);

  /** What {@link #ensure} found or did. */
  public enum Outcome {
    /** The identity directory already held a node identity; nothing was written. */
    EXISTING,
    /** A node SVID was issued by the existing local CA. */
    ISSUED,
    /** A local CA was created and issued the node SVID. */
    CREATED_CA_AND_ISSUED
  }

  private final NodeConfig.Identity config;
  private final String nodeId;
  private final Path identityDir;
  private final Path caDir;
  private final Clock clock;

  public IdentityProvisioner(NodeConfig.Identity config, String nodeId, Path stateDir, Clock clock) {
    this.config = config;
    this.nodeId = nodeId;
    this.identityDir = config.dirIn(stateDir);
    this.caDir = config.caDirIn(stateDir);
    this.clock = clock;
  }

  /** Whether {@code dir} holds the three node identity files. */
  public static boolean hasNodeIdentity(Path dir) {
    return Files.isRegularFile(dir.resolve(IdentityFiles.NODE_KEY))
        && Files.isRegularFile(dir.resolve(IdentityFiles.NODE_CHAIN))
        && Files.isRegularFile(dir.resolve(IdentityFiles.TRUST_BUNDLE));
  }

  /** The directory the node reads its identity from. */
  public Path identityDir() {
    return identityDir;
  }

  /** The local CA directory. */
  public Path caDir() {
    return caDir;
  }

  /**
   * Makes sure the identity directory holds a node identity, creating the local CA and
   * issuing an SVID when it does not.
   */
  public Outcome ensure() {
    if (hasNodeIdentity(identityDir)) {
      return Outcome.EXISTING;
    }
    boolean caExists = Files.isRegularFile(caDir.resolve(IdentityFiles.CA_KEY));
    MeshCertificateAuthority ca = caExists ? loadCa() : createCa();
    issueInto(ca);
    return caExists ? Outcome.ISSUED : Outcome.CREATED_CA_AND_ISSUED;
  }

  /**
   * Issues a fresh key and SVID when less than a third of {@code current}'s lifetime is
   * left. Returns whether it did.
   */
  public boolean renewIfDue(NodeIdentity current) {
    Instant notBefore = current.leaf().getNotBefore().toInstant();
    Instant notAfter = current.leaf().getNotAfter().toInstant();
    Duration lifetime = Duration.between(notBefore, notAfter);
    Instant renewAt = notAfter.minus(lifetime.dividedBy(3));
    if (clock.instant().isBefore(renewAt)) {
      return false;
    }
    log.info(
        "renewing node SVID {} {}",
        kv("node_id", nodeId),
        kv("not_after", notAfter.toString()));
    issueInto(loadCa());
    return true;
  }

  /** Issues a fresh key and SVID with the local CA now, whatever time the current one has. */
  public void renewNow() {
    log.info("renewing node SVID on request {}", kv("node_id", nodeId));
    issueInto(loadCa());
  }

  private MeshCertificateAuthority loadCa() {
    return builder().load(caDir);
  }

  private MeshCertificateAuthority createCa() {
    MeshCertificateAuthority ca = builder().init();
    ca.save(caDir);
    log.info(
        "created local mesh CA {} {} {}",
        kv("trust_domain", config.trustDomain()),
        kv("algorithm", ca.algorithm().name()),
        kv("ca_dir", caDir.toString()));
    return ca;
  }

  private void issueInto(MeshCertificateAuthority ca) {
    NodeIdentity identity = ca.issueNodeIdentity(nodeId);
    IdentityFiles.writeNodeIdentity(identityDir, identity);
    log.info(
        "issued node SVID {} {} {}",
        kv("spiffe_id", "spiffe://" + config.trustDomain() + "/node/" + nodeId),
        kv("not_after", identity.leaf().getNotAfter().toInstant().toString()),
        kv("identity_dir", identityDir.toString()));
  }

  private MeshCertificateAuthority.Builder builder() {
    return MeshCertificateAuthority.builder()
        .trustDomain(config.trustDomain())
        .algorithm(config.algorithm())
        .svidLifetime(config.svidLifetime())
        .clock(clock);
  }
}
