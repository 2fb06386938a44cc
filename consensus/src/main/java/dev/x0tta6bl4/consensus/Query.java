package dev.x0tta6bl4.consensus;

/** A read of the replicated state; never enters the Raft log. */
sealed interface Query {
  record Get(String key) implements Query {
    public Get {
      Limits.checkKey(key);
    }
  }

  record Members() implements Query {}

  record Settings() implements Query {}
}
