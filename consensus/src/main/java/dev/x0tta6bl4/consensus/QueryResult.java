package dev.x0tta6bl4.consensus;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The answer to a {@link Query}. */
sealed interface QueryResult {
  record Value(Optional<Versioned> value) implements QueryResult {}

  record Members(List<Member> members) implements QueryResult {
    public Members {
      members = List.copyOf(members);
    }
  }

  record Settings(Map<String, String> settings) implements QueryResult {
    public Settings {
      settings = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(settings));
    }
  }
}
