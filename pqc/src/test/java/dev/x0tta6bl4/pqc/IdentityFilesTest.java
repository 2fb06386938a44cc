package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IdentityFilesTest {

  @TempDir Path dir;

  private MeshCertificateAuthority ca(SignatureAlgorithm algorithm) {
    return MeshCertificateAuthority.builder()
        .trustDomain("mesh.test")
        .algorithm(algorithm)
        .clock(new MutableClock(Instant.parse("2026-02-01T00:00:00Z")))
        .random(CertFixtures.seeded(11 + algorithm.ordinal()))
        .init();
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void caSave_keyIs0600_certsAre0644_directoryIs0700() throws Exception {
    Path caDir = dir.resolve("ca");

    ca(SignatureAlgorithm.ED25519).save(caDir);

    assertThat(mode(caDir.resolve(IdentityFiles.CA_KEY))).isEqualTo("rw-------");
    assertThat(mode(caDir.resolve(IdentityFiles.CA_CERT))).isEqualTo("rw-r--r--");
    assertThat(mode(caDir.resolve(IdentityFiles.TRUST_BUNDLE))).isEqualTo("rw-r--r--");
    assertThat(mode(caDir)).isEqualTo("rwx------");
    try (var files = Files.list(caDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file left behind")
          .containsExactlyInAnyOrder(
              IdentityFiles.CA_KEY, IdentityFiles.CA_CERT, IdentityFiles.TRUST_BUNDLE);
    }
  }

  @Test
  void writePrivateKey_overExistingWorldReadableFile_endsUp0600() throws Exception {
    Path file = dir.resolve("k.pem");
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    IdentityFiles.writePrivateKey(file, CertFixtures.ed25519().getPrivate());

    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n");
  }

  @ParameterizedTest
  @EnumSource(SignatureAlgorithm.class)
  void nodeIdentity_writeThenRead_sameMaterialAsBouncyCastleKeys(SignatureAlgorithm algorithm)
      throws Exception {
    MeshCertificateAuthority ca = ca(algorithm);
    NodeIdentity written = ca.issueNodeIdentity("n1");
    Path nodeDir = dir.resolve("node");

    IdentityFiles.writeNodeIdentity(nodeDir, written);
    NodeIdentity read = IdentityFiles.readNodeIdentity(nodeDir);

    assertThat(mode(nodeDir.resolve(IdentityFiles.NODE_KEY))).isEqualTo("rw-------");
    assertThat(read.privateKey().getEncoded()).isEqualTo(written.privateKey().getEncoded());
    assertThat(read.privateKey().getClass().getName()).startsWith("org.bouncycastle.");
    assertThat(read.certificateChain()).isEqualTo(written.certificateChain());
    assertThat(read.trustBundle()).isEqualTo(written.trustBundle());
  }

  @Test
  void readNodeIdentity_keyOfAnotherNode_refused() {
    MeshCertificateAuthority ca = ca(SignatureAlgorithm.ED25519);
    IdentityFiles.writeNodeIdentity(dir, ca.issueNodeIdentity("n1"));
    IdentityFiles.writePrivateKey(dir.resolve(IdentityFiles.NODE_KEY), CertFixtures.ed25519().getPrivate());

    assertThatThrownBy(() -> IdentityFiles.readNodeIdentity(dir))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("does not match the public key of leaf certificate");
  }

  @Test
  void readCertificates_bundleOfTwo_keepsOrder() {
    MeshCertificateAuthority one = ca(SignatureAlgorithm.ED25519);
    MeshCertificateAuthority two = ca(SignatureAlgorithm.ML_DSA_65);
    Path bundle = dir.resolve("bundle.pem");

    IdentityFiles.writeCertificates(bundle, List.of(one.caCertificate(), two.caCertificate()));

    assertThat(IdentityFiles.readCertificates(bundle))
        .containsExactly(one.caCertificate(), two.caCertificate());
  }

  @Test
  void readPrivateKey_certificateFile_refusedNamingFile() {
    Path file = dir.resolve("not-a-key.pem");
    IdentityFiles.writeCertificates(file, ca(SignatureAlgorithm.ED25519).trustBundle());

    assertThatThrownBy(() -> IdentityFiles.readPrivateKey(file))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("expected an unencrypted PEM private key");
  }

  @Test
  void readCertificates_emptyFile_refused() throws Exception {
    Path file = Files.writeString(dir.resolve("empty.pem"), "");

    assertThatThrownBy(() -> IdentityFiles.readCertificates(file))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("holds no PEM certificate");
  }

  @Test
  void readPrivateKey_truncatedPem_refusedWithoutKeyBytesInMessage() throws Exception {
    Path file = dir.resolve("k.pem");
    IdentityFiles.writePrivateKey(file, CertFixtures.ed25519().getPrivate());
    String text = Files.readString(file);
    Files.writeString(file, text.substring(0, text.length() / 2));

    assertThatThrownBy(() -> IdentityFiles.readPrivateKey(file))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void nodeIdentityToString_doesNotContainPrivateKeyEncoding() throws Exception {
    NodeIdentity identity = ca(SignatureAlgorithm.ED25519).issueNodeIdentity("n1");
    byte[] seed =
        ASN1OctetString.getInstance(
                PrivateKeyInfo.getInstance(identity.privateKey().getEncoded()).parsePrivateKey())
            .getOctets();
    assertThat(seed).hasSize(32);
    String seedHex = HexFormat.of().formatHex(seed);
    PrivateKey key = identity.privateKey();

    assertThat(identity.toString()).doesNotContainIgnoringCase(seedHex);
    assertThat(key.toString()).doesNotContainIgnoringCase(seedHex);
  }
}
