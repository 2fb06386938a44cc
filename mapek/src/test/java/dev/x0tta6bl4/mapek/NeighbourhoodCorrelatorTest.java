package dev.x0tta6bl4.mapek;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NeighbourhoodCorrelatorTest {
  private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
  private final NeighbourhoodCorrelator correlator =
      new NeighbourhoodCorrelator("me", Set.of("link-down"), 3);
  private final Snapshot empty = Snapshot.of(1, T0, List.of(), Set.of());

  private static Symptom link(String subject) {
    return new Symptom("link-down", subject, Severity.WARNING, "no heartbeat", T0);
  }

  @Test
  void correlate_manyLinksAroundOneRemoteNode_namesThatNode() {
    List<Diagnosis> out = correlator.correlate(List.of(
        link(NeighbourhoodCorrelator.link("b", "x")), link(NeighbourhoodCorrelator.link("c", "x")),
        link(NeighbourhoodCorrelator.link("x", "d")), link(NeighbourhoodCorrelator.link("e", "f")),
        new Symptom("disk-pressure", "local", Severity.CRITICAL, "3% free", T0)), empty);
    assertThat(out).extracting(Diagnosis::key)
        .containsExactlyInAnyOrder("disk-pressure/local", "node-suspect/x", "link-down/e~f");
    assertThat(out).filteredOn(d -> d.kind().equals("node-suspect")).singleElement()
        .satisfies(d -> assertThat(d.symptoms()).hasSize(3));
  }

  @Test
  void correlate_mostOwnLinksFailing_namesTheLocalNode() {
    List<Diagnosis> out = correlator.correlate(
        List.of(link("p1"), link("p2"), link("p3"), link("p4")), empty);
    assertThat(out).singleElement().satisfies(d -> {
      assertThat(d.key()).isEqualTo("local-node-suspect/me");
      assertThat(d.symptoms()).hasSize(4);
    });
  }

  @Test
  void correlate_fewLinkSymptoms_eachItsOwnDiagnosis() {
    List<Diagnosis> out = correlator.correlate(List.of(link("p1"), link("p2")), empty);
    assertThat(out).extracting(Diagnosis::key).containsExactly("link-down/p1", "link-down/p2");
  }
}
