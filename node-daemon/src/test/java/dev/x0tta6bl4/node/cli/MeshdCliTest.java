package dev.x0tta6bl4.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.pqc.IdentityFiles;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import dev.x0tta6bl4.pqc.SvidRequest;
import dev.x0tta6bl4.pqc.SvidValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshdCliTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int meshd(Map<String, String> env, String... args) {
    return MeshdCli.create(env, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
  }

  private int meshd(String... args) {
    return meshd(Map.of(), args);
  }

  private Path write(String name, String yaml) throws IOException {
    return Files.writeString(tmp.resolve(name), yaml);
  }

  /** A configuration error is exactly one line on stderr, naming file:line:column and key. */
  private void assertConfigError(int exit, String fileName, int line, int column, String key) {
    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    String message = err.toString();
    assertThat(message.lines()).as("one line: %s", message).hasSize(1);
    assertThat(message)
        .startsWith("meshd: configuration error: ")
        .contains(fileName + ":" + line + ":" + column + ": ")
        .contains(key);
  }

  @Test
  void configCheck_validFile_printsEffectiveConfigurationAndExitsZero() throws IOException {
    Path file = write("ok.yaml", "metrics:\n  bind: 127.0.0.1:9999\n");

    int exit = meshd("config", "check", file.toString());

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("bind: 127.0.0.1:9999").contains("shutdown-timeout");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void configCheck_unknownKey_exits78NamingLineColumnAndKey() throws IOException {
    Path file = write("unknown.yaml", "metrics:\n  bind: 127.0.0.1:9464\n  bnid: x\n");

    assertConfigError(meshd("config", "check", file.toString()), "unknown.yaml", 3, 3, "metrics.bnid");
  }

  @Test
  void configCheck_wrongType_exits78NamingLineColumnAndKey() throws IOException {
    Path file = write("type.yaml", "node:\n  shutdown-timeout: [1, 2]\n");

    assertConfigError(
        meshd("config", "check", file.toString()), "type.yaml", 2, 21, "node.shutdown-timeout");
  }

  @Test
  void configCheck_portOutOfRange_exits78NamingLineColumnAndKey() throws IOException {
    Path file = write("port.yaml", "metrics:\n  bind: 127.0.0.1:70000\n");

    assertConfigError(meshd("config", "check", file.toString()), "port.yaml", 2, 9, "metrics.bind");
  }

  @Test
  void configCheck_missingFile_exits78NamingTheFile() {
    Path file = tmp.resolve("absent.yaml");

    int exit = meshd("config", "check", file.toString());

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).contains(file.toString());
  }

  @Test
  void configCheck_unreadableFile_exits78NamingTheFile() throws IOException {
    // A directory cannot be read as a file, even by root (which CI runs as).
    Path dir = Files.createDirectory(tmp.resolve("dir.yaml"));

    int exit = meshd("config", "check", dir.toString());

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).contains(dir.toString());
  }

  @Test
  void run_badEnvironmentOverride_exits78BeforeStarting() {
    int exit = meshd(Map.of("MESHD_METRICS_BIND", "127.0.0.1:99999"), "run");

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString()).contains("MESHD_METRICS_BIND").contains("metrics.bind");
  }

  @Test
  void noCommand_isUsageError() {
    assertThat(meshd()).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("missing command").contains("run");
  }

  @Test
  void unknownOption_isUsageError() {
    assertThat(meshd("run", "--no-such-option")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--no-such-option");
  }

  @Test
  void version_printsMeshdJavaBouncyCastleAndSelfTest() {
    assertThat(meshd("version")).isZero();
    assertThat(out.toString())
        .startsWith("meshd ")
        .contains("java " + System.getProperty("java.version"))
        .contains("bouncy castle {bcpkix=1.84, bcprov=1.84, bctls=1.84, bcutil=1.84}")
        .contains("crypto self-test passed: ")
        .contains("ML-KEM-768 ok")
        .contains("ML-DSA-65 ok");
  }

  @Test
  void caInitIssueBundle_writeCaNodeFilesAndPrintBundle() throws Exception {
    Path ca = tmp.resolve("ca");
    Path node = tmp.resolve("node-1");

    assertThat(meshd("ca", "init", "--dir", ca.toString(), "--trust-domain", "example.org"))
        .as(err.toString()).isZero();
    assertThat(meshd("ca", "issue", "--ca-dir", ca.toString(), "--node-id", "node-1",
        "--out", node.toString(), "--lifetime", "2h", "--ip", "127.0.0.1")).as(err.toString()).isZero();
    out.getBuffer().setLength(0);
    assertThat(meshd("ca", "bundle", "--ca-dir", ca.toString())).isZero();

    assertThat(permissions(ca.resolve("ca-key.pem"))).isEqualTo("rw-------");
    assertThat(permissions(node.resolve("node-key.pem"))).isEqualTo("rw-------");
    NodeIdentity identity = IdentityFiles.readNodeIdentity(node);
    assertThat(SvidValidator.builder("example.org").trustBundle(identity::trustBundle).build()
        .verify(identity.certificateChain())).isEqualTo("spiffe://example.org/node/node-1");
    assertThat(out.toString()).startsWith("-----BEGIN CERTIFICATE-----")
        .isEqualTo(Files.readString(ca.resolve("trust-bundle.pem")));
  }

  @Test
  void caIssue_fromCsr_writesCertificateForTheNodesOwnKey() throws Exception {
    Path ca = tmp.resolve("ca");
    Path node = tmp.resolve("node-2");
    meshd("ca", "init", "--dir", ca.toString(), "--trust-domain", "example.org");
    KeyPair keys = SignatureAlgorithm.ED25519.generateKeyPair(new SecureRandom());
    Path csr = Files.write(tmp.resolve("node-2.csr"), SvidRequest.createCsr("node-2", keys));

    assertThat(meshd("ca", "issue", "--ca-dir", ca.toString(), "--node-id", "node-2",
        "--out", node.toString(), "--csr", csr.toString())).as(err.toString()).isZero();

    assertThat(node.resolve("node-key.pem")).doesNotExist();
    X509Certificate leaf = IdentityFiles.readCertificates(node.resolve("node-chain.pem")).get(0);
    assertThat(leaf.getPublicKey().getEncoded()).isEqualTo(keys.getPublic().getEncoded());
  }

  @Test
  void caInit_existingCa_refusesToReplaceIt() {
    Path ca = tmp.resolve("ca");
    meshd("ca", "init", "--dir", ca.toString());

    assertThat(meshd("ca", "init", "--dir", ca.toString())).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("already exists; refusing to replace a CA");
  }

  @Test
  void caIssue_badNodeIdOrLifetime_isUsageError() {
    assertThat(meshd("ca", "issue", "--ca-dir", "x", "--node-id", "Bad Id", "--out", "y"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(meshd("ca", "issue", "--ca-dir", "x", "--node-id", "a", "--out", "y",
        "--lifetime", "10")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--node-id 'Bad Id' is not valid").contains("no unit");
  }

  @Test
  void init_createsStateIdentityAndCaOnce() {
    Map<String, String> env =
        Map.of("MESHD_NODE_STATE_DIR", tmp.resolve("state").toString(), "MESHD_NODE_ID", "edge-1");

    assertThat(meshd(env, "init")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("node id    edge-1")
        .contains("created a local CA and issued this node's SVID");
    out.getBuffer().setLength(0);
    assertThat(meshd(env, "init")).isZero();
    assertThat(out.toString()).contains("already present, left as is");
    assertThat(tmp.resolve("state/identity/node-chain.pem")).isRegularFile();
    assertThat(tmp.resolve("state/ca/ca-key.pem")).isRegularFile();
  }

  private static String permissions(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void help_everyCommandHasHelp() {
    for (String[] args : new String[][] {
        {"--help"}, {"run", "--help"}, {"init", "--help"}, {"config", "--help"},
        {"config", "check", "--help"}, {"ca", "--help"}, {"ca", "init", "--help"},
        {"ca", "issue", "--help"}, {"ca", "bundle", "--help"}, {"version", "--help"}}) {
      out.getBuffer().setLength(0);
      assertThat(meshd(args)).as(String.join(" ", args)).isZero();
      assertThat(out.toString()).as(String.join(" ", args)).contains("Usage: meshd");
    }
  }
}
