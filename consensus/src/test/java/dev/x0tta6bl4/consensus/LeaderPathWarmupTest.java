package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leader-path class list matches the Ratis on the classpath: after a Ratis upgrade that
 * renames or drops one of them, this fails and the list is produced again (its header says how).
 */
class LeaderPathWarmupTest {
  @Test
  void everyListedClassExists() {
    List<String> names = LeaderPathWarmup.classNames();
    assertThat(names).hasSizeGreaterThan(50)
        .allMatch(n -> n.startsWith("org.apache.ratis."))
        .contains("org.apache.ratis.server.impl.LeaderStateImpl",
            "org.apache.ratis.grpc.server.GrpcLogAppender");
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      try {
        Class.forName(name, false, getClass().getClassLoader());
      } catch (ClassNotFoundException e) {
        missing.add(name);
      }
    }
    assertThat(missing).as("listed classes not in this Ratis").isEmpty();
    assertThat(LeaderPathWarmup.load(names, getClass().getClassLoader())).isEqualTo(names.size());
  }

  @Test
  void unknownClass_isSkipped() {
    assertThat(LeaderPathWarmup.load(List.of("org.apache.ratis.NoSuchClass",
        "org.apache.ratis.server.impl.LeaderStateImpl"), getClass().getClassLoader()))
        .isEqualTo(1);
  }
}
