package dev.x0tta6bl4.pqc;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JceAEADCipherImpl;

/**
 * TLS crypto whose key exchange, signatures, hashes and HKDF come from Bouncy Castle (its
 * main helper), while AES-GCM record protection comes from the JDK's SunJCE, which uses the
 * AES-NI intrinsics: BC's pure-Java AES-GCM is about 8x slower on bulk traffic.
 */
final class SplitTlsCrypto extends JcaTlsCrypto {

  private final JcaJceHelper bulkHelper;

  SplitTlsCrypto(
      JcaJceHelper helper,
      JcaJceHelper altHelper,
      JcaJceHelper bulkHelper,
      SecureRandom entropySource,
      SecureRandom nonceEntropySource) {
    super(helper, altHelper, entropySource, nonceEntropySource);
    this.bulkHelper = bulkHelper;
  }

  @Override
  protected TlsAEADCipherImpl createAEADCipher(
      String cipherName, String algorithm, int keySize, boolean isEncrypting)
      throws GeneralSecurityException {
    if (cipherName.startsWith("AES/GCM/")) {
      return new JceAEADCipherImpl(this, bulkHelper, cipherName, algorithm, keySize, isEncrypting);
    }
    return super.createAEADCipher(cipherName, algorithm, keySize, isEncrypting);
  }
}
