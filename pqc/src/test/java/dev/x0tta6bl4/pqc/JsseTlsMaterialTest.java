package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.junit.jupiter.api.Test;

class JsseTlsMaterialTest {

  private final CryptoProviders providers = CryptoProviders.install();
  private final MeshCertificateAuthority pki = TlsContextFactoryTest.newCa(SignatureAlgorithm.ED25519);
  private final MutableIdentitySource ids = new MutableIdentitySource(pki.issueNodeIdentity("n1"));

  private JsseTlsMaterial material() {
    return JsseTlsMaterial.create(providers, ids,
        SvidValidator.builder("example.org").trustBundleFrom(ids).build());
  }

  @Test
  void keyManager_followsRotation_withoutRebuilding() {
    JsseTlsMaterial m = material();
    String before = m.keyManager().chooseEngineServerAlias("Ed25519", null, null);
    assertThat(m.keyManager().getCertificateChain(before)[0]).isEqualTo(ids.current().leaf());

    ids.rotate(pki.issueNodeIdentity("n1"));
    String after = m.keyManager().chooseEngineServerAlias("Ed25519", null, null);
    X509Certificate presented = m.keyManager().getCertificateChain(after)[0];
    assertThat(presented).isEqualTo(ids.current().leaf());
    assertThat(after).isNotEqualTo(before);
  }

  @Test
  void trustManager_refusesChainFromAnotherCa_acceptsOwnTrustDomain() throws Exception {
    JsseTlsMaterial m = material();
    X509Certificate[] own = pki.issueNodeIdentity("n2").certificateChain()
        .toArray(new X509Certificate[0]);
    m.trustManager().checkServerTrusted(own, "UNKNOWN", (SSLEngine) null);

    MeshCertificateAuthority other = TlsContextFactoryTest.newCa(SignatureAlgorithm.ED25519);
    X509Certificate[] foreign = other.issueNodeIdentity("n3").certificateChain()
        .toArray(new X509Certificate[0]);
    assertThatThrownBy(() -> m.trustManager().checkClientTrusted(foreign, "UNKNOWN",
        (SSLEngine) null))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("does not validate against the trust bundle");
  }

  @Test
  void configureEngine_setsHybridGroupAndEarlyKeyShare_refusesNonBcEngine() throws Exception {
    JsseTlsMaterial m = material();
    SSLContext bc = SSLContext.getInstance("TLSv1.3", m.provider());
    bc.init(null, null, null);
    SSLEngine engine = bc.createSSLEngine();
    engine.setUseClientMode(true);
    m.configureEngine(engine, true);
    BCSSLParameters p = ((BCSSLEngine) engine).getParameters();
    assertThat(p.getNamedGroups()).containsExactly("X25519MLKEM768");
    assertThat(p.getEarlyKeyShares()).containsExactly("X25519MLKEM768");
    assertThat(p.getProtocols()).containsExactly("TLSv1.3");

    SSLContext jdk = SSLContext.getInstance("TLSv1.3", "SunJSSE");
    jdk.init(null, null, null);
    assertThatThrownBy(() -> m.configureEngine(jdk.createSSLEngine(), false))
        .isInstanceOf(TlsSetupException.class)
        .hasMessageContaining("not a Bouncy Castle engine");
  }
}
