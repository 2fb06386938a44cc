package dev.x0tta6bl4.pqc;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The single place where the identity and envelope code obtains the Bouncy Castle JCA
 * provider. Kept tiny so that the start-up provider setup can replace it in one spot.
 *
 * <p>The provider is registered with {@link Security#addProvider} (appended, never at
 * position 1) only if absent, and the registered instance is always passed explicitly.
 */
final class BcProviderAccess {

  private static final Provider PROVIDER = resolve();

  private BcProviderAccess() {}

  /** The Bouncy Castle provider instance to pass to every JCA call. */
  static Provider provider() {
    return PROVIDER;
  }

  private static Provider resolve() {
    synchronized (Security.class) {
      Provider existing = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
      if (existing != null) {
        return existing;
      }
      Provider bc = new BouncyCastleProvider();
      Security.addProvider(bc);
      return bc;
    }
  }
}
