package dev.x0tta6bl4.pqc;

import java.security.Provider;
import java.security.SecureRandom;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.jcajce.util.ProviderJcaJceHelper;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * Hands BCJSSE a {@link SplitTlsCrypto}: Bouncy Castle for everything except AES-GCM, which
 * is bound to the JDK provider given here. {@code setAlternateProvider} cannot express this
 * split, hence the subclass.
 */
final class SplitTlsCryptoProvider extends JcaTlsCryptoProvider {

  private final JcaJceHelper mainHelper;
  private final JcaJceHelper bulkHelper;

  SplitTlsCryptoProvider(Provider bouncyCastle, Provider bulkCipherProvider) {
    this.mainHelper = new ProviderJcaJceHelper(bouncyCastle);
    this.bulkHelper = new ProviderJcaJceHelper(bulkCipherProvider);
  }

  @Override
  public JcaJceHelper getHelper() {
    return mainHelper;
  }

  @Override
  public JcaTlsCrypto create(SecureRandom keyRandom, SecureRandom nonceRandom) {
    return new SplitTlsCrypto(mainHelper, getAltHelper(), bulkHelper, keyRandom, nonceRandom);
  }
}
