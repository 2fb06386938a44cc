package dev.x0tta6bl4.mapek;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A toy world of links with loss: a sensor reporting {@code link.loss} per peer, a detector
 * calling loss above 0.5 {@code link-lossy}, and a policy proposing {@code reroute} (priority 60)
 * then {@code reconnect} (priority 50).
 */
final class FakeLinks {
  final Map<String, Double> loss = new TreeMap<>();
  int reads;

  FakeLinks(int peers) {
    for (int i = 0; i < peers; i++) {
      loss.put(peer(i), 0.0);
    }
  }

  static String peer(int i) {
    return String.format("peer-%02d", i);
  }

  void fault(String peer) {
    loss.put(peer, 0.9);
  }

  void heal(String peer) {
    loss.put(peer, 0.0);
  }

  Sensor sensor() {
    return new Sensor() {
      @Override
      public String name() {
        return "links";
      }

      @Override
      public List<Reading> read() {
        reads++;
        List<Reading> out = new ArrayList<>();
        loss.forEach((peer, l) -> out.add(new Reading("link.loss", peer, l)));
        return out;
      }
    };
  }

  static Detector detector() {
    return new Detector() {
      @Override
      public String name() {
        return "lossy-link";
      }

      @Override
      public List<Detection> detect(Snapshot s) {
        List<Detection> out = new ArrayList<>();
        s.metric("link.loss").forEach((peer, l) -> {
          if (l > 0.5) {
            out.add(Detection.of("link-lossy", peer, Severity.WARNING, "loss=" + l));
          }
        });
        return out;
      }
    };
  }

  static Policy policy() {
    return new Policy() {
      @Override
      public String name() {
        return "links";
      }

      @Override
      public List<Candidate> propose(Diagnosis d, Snapshot s) {
        if (!d.kind().equals("link-lossy")) {
          return List.of();
        }
        return List.of(new Candidate(Action.of("reroute", d.subject()), 60, "route around it"),
            new Candidate(Action.of("reconnect", d.subject()), 50, "new connection"));
      }
    };
  }
}
