package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

class CryptoProvidersTest {

  @Test
  void install_twice_sameInstanceAndBcRegisteredOnceNotFirst() {
    CryptoProviders first = CryptoProviders.install();
    CryptoProviders second = CryptoProviders.install();

    assertThat(second).isSameAs(first);
    Provider[] registered = Security.getProviders();
    assertThat(Arrays.stream(registered).filter(p -> p.getName().equals("BC"))).hasSize(1);
    assertThat(registered[0].getName()).isNotEqualTo("BC");
    assertThat(Security.getProvider(first.jsse().getName())).isNull();
  }

  @Test
  void install_bulkCipherProvider_isSunJceServingAesGcm() throws Exception {
    CryptoProviders providers = CryptoProviders.install();
    assertThat(providers.bulkCipherProvider().getName()).isEqualTo("SunJCE");
    assertThat(Cipher.getInstance("AES/GCM/NoPadding", providers.bulkCipherProvider()).getProvider())
        .isSameAs(providers.bulkCipherProvider());
    assertThat(providers.toString()).contains("BC").contains("BCJSSE").contains("SunJCE");
  }
}
