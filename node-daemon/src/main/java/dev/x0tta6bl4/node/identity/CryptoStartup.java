package dev.x0tta6bl4.node.identity;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.pqc.BcVersionLock;
import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.CryptoSelfTest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crypto gate every node passes before it opens a port: the Bouncy Castle jars must all
 * carry one version, and the known-answer self-tests of ML-KEM-768, ML-DSA-65, Ed25519,
 * X25519, AES-256-GCM, SHA-256 and SHA3-256 must pass. Either failure is a
 * {@link dev.x0tta6bl4.pqc.CryptoStackException} naming the versions or the algorithm, and the
 * node exits 1; there is no "warn and continue".
 */
public final class CryptoStartup {
  private static final Logger log = LoggerFactory.getLogger(CryptoStartup.class);

  private CryptoStartup() {}

  /** Checks the version lock, installs the providers and runs the self-test. */
  public static CryptoProviders verifyAndInstall() {
    String version = BcVersionLock.verifyClassPath();
    CryptoProviders providers = CryptoProviders.install();
    CryptoSelfTest.Report report = CryptoSelfTest.run(providers);
    report.throwIfFailed();
    log.info(
        "crypto stack verified {} {}",
        kv("bouncy_castle_version", version),
        kv("self_test", report.summary()));
    return providers;
  }
}
