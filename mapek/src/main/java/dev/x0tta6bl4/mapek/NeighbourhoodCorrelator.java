package dev.x0tta6bl4.mapek;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Names a node as the root cause when many link symptoms touch it: a remote node in the middle of
 * several failing links is suspect itself, and when most of the local node's own links fail at
 * once, the local node is the likely cause, not its peers.
 *
 * <p>A link symptom's subject is either a peer id (a link from the local node to that peer) or
 * {@code a~b} (a link between two nodes, e.g. learned from the route table). Endpoints are counted
 * over the link symptoms of the tick; the endpoint touched by the most, if at least
 * {@code minLinks}, becomes a diagnosis ({@code node-suspect/<id>} or
 * {@code local-node-suspect/<local id>}) explaining those symptoms, and the rest is examined
 * again. Symptoms of other kinds, and link symptoms left over, are their own diagnoses.
 */
public final class NeighbourhoodCorrelator implements Correlator {
  public static final String NODE_SUSPECT = "node-suspect";
  public static final String LOCAL_NODE_SUSPECT = "local-node-suspect";
  /** Separates the two endpoints of a link subject. */
  public static final char LINK_SEPARATOR = '~';

  private final String localNode;
  private final Set<String> linkKinds;
  private final int minLinks;

  /**
   * @param localNode the id of the node running the loop
   * @param linkKinds symptom kinds that describe a link (e.g. {@code link-down}, {@code link-lossy})
   * @param minLinks how many link symptoms must touch one node to name it (at least 2)
   */
  public NeighbourhoodCorrelator(String localNode, Set<String> linkKinds, int minLinks) {
    this.localNode = Objects.requireNonNull(localNode, "localNode");
    this.linkKinds = Set.copyOf(linkKinds);
    if (minLinks < 2) {
      throw new MapekException("minLinks must be at least 2, got " + minLinks);
    }
    this.minLinks = minLinks;
  }

  /** The subject for a link between {@code a} and {@code b}. */
  public static String link(String a, String b) {
    return a.compareTo(b) <= 0 ? a + LINK_SEPARATOR + b : b + LINK_SEPARATOR + a;
  }

  @Override
  public List<Diagnosis> correlate(List<Symptom> symptoms, Snapshot snapshot) {
    List<Diagnosis> out = new ArrayList<>();
    List<Symptom> links = new ArrayList<>();
    for (Symptom s : symptoms) {
      if (linkKinds.contains(s.kind())) {
        links.add(s);
      } else {
        out.add(Diagnosis.of(s));
      }
    }
    while (links.size() >= minLinks) {
      Map<String, List<Symptom>> byEndpoint = new LinkedHashMap<>();
      for (Symptom s : links) {
        for (String endpoint : endpoints(s.subject())) {
          byEndpoint.computeIfAbsent(endpoint, e -> new ArrayList<>()).add(s);
        }
      }
      Map.Entry<String, List<Symptom>> best = null;
      for (Map.Entry<String, List<Symptom>> e : byEndpoint.entrySet()) {
        if (best == null || e.getValue().size() > best.getValue().size()) {
          best = e;
        }
      }
      if (best == null || best.getValue().size() < minLinks) {
        break;
      }
      String node = best.getKey();
      boolean local = node.equals(localNode);
      out.add(new Diagnosis(local ? LOCAL_NODE_SUSPECT : NODE_SUSPECT, node, best.getValue(),
          best.getValue().size() + " link symptoms touch " + (local ? "the local node " : "node ")
              + node));
      links.removeAll(best.getValue());
    }
    for (Symptom s : links) {
      out.add(Diagnosis.of(s));
    }
    return out;
  }

  private String[] endpoints(String subject) {
    int sep = subject.indexOf(LINK_SEPARATOR);
    if (sep < 0) {
      return new String[] {localNode, subject};
    }
    return new String[] {subject.substring(0, sep), subject.substring(sep + 1)};
  }

  @Override
  public String toString() {
    Map<String, Object> m = new HashMap<>();
    m.put("localNode", localNode);
    m.put("minLinks", minLinks);
    return "NeighbourhoodCorrelator" + m;
  }
}
