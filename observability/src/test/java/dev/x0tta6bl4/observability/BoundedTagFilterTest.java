package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BoundedTagFilterTest {

  @Test
  void thousandPeers_atMostLimitSeriesPlusOneOverflow() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(new BoundedTagFilter("peer", 16));

    for (int i = 0; i < 1_000; i++) {
      Counter.builder("meshd.link.frames").tag("peer", "node-" + i).tag("type", "data")
          .register(registry).increment();
    }

    Set<String> peers =
        registry.getMeters().stream()
            .map(Meter::getId)
            .map(id -> id.getTag("peer"))
            .collect(Collectors.toSet());
    assertThat(peers).hasSize(17).contains(BoundedTagFilter.OVERFLOW_VALUE, "node-0", "node-15");
    assertThat(registry.get("meshd.link.frames").tag("peer", "_other").counter().count())
        .isEqualTo(984);
    assertThat(registry.get("meshd.link.frames").tag("peer", "node-3").tag("type", "data")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void admittedValue_keepsItsSeriesAfterLimitReached() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(new BoundedTagFilter("peer", 1));
    Counter.builder("c").tag("peer", "a").register(registry).increment();
    Counter.builder("c").tag("peer", "b").register(registry).increment();
    Counter.builder("c").tag("peer", "a").register(registry).increment();

    assertThat(registry.get("c").tag("peer", "a").counter().count()).isEqualTo(2);
    assertThat(registry.get("c").tag("peer", "_other").counter().count()).isEqualTo(1);
  }

  @Test
  void metersWithoutTheTag_areUntouched() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(new BoundedTagFilter("peer", 1));
    Counter.builder("c").tag("type", "x").register(registry);

    assertThat(registry.get("c").tag("type", "x").counter()).isNotNull();
  }

  @Test
  void badArguments_areRejectedNamingThem() {
    assertThatThrownBy(() -> new BoundedTagFilter("peer", 0)).hasMessageContaining("peer");
    assertThatThrownBy(() -> new BoundedTagFilter("", 3)).hasMessageContaining("tag key");
  }
}
