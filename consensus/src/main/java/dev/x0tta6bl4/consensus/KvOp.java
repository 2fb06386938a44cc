package dev.x0tta6bl4.consensus;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One mutation of the replicated state. Several operations travel in one Raft entry (a batch);
 * they apply in order and each succeeds or fails on its own (a batch is not a transaction).
 */
public sealed interface KvOp {

  /** Unconditional write; the result carries the new version. */
  record Put(String key, byte[] value) implements KvOp {
    public Put {
      Limits.checkKey(key);
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * Write only when the key's current version equals {@code expectedVersion}; version 0 means
   * "the key must not exist". The result is {@link OpResult.Code#CONFLICT} with the current
   * version (0 when absent) otherwise.
   */
  record CompareAndSet(String key, long expectedVersion, byte[] value) implements KvOp {
    public CompareAndSet {
      Limits.checkKey(key);
      Objects.requireNonNull(value, "value");
      if (expectedVersion < 0) {
        throw new IllegalArgumentException("expectedVersion must be >= 0, got " + expectedVersion);
      }
    }
  }

  /**
   * Removes a key. {@code expectedVersion} 0 deletes whatever version is there; a positive value
   * deletes only that version (otherwise CONFLICT).
   */
  record Delete(String key, long expectedVersion) implements KvOp {
    public Delete {
      Limits.checkKey(key);
      if (expectedVersion < 0) {
        throw new IllegalArgumentException("expectedVersion must be >= 0, got " + expectedVersion);
      }
    }
  }

  /** Adds or replaces a member registry entry. */
  record PutMember(Member member) implements KvOp {
    public PutMember {
      Objects.requireNonNull(member, "member");
    }
  }

  /** Removes a member registry entry; NOT_FOUND when absent. */
  record RemoveMember(String nodeId) implements KvOp {
    public RemoveMember {
      Limits.checkString("nodeId", nodeId, Limits.MAX_ID_BYTES, false);
    }
  }

  /** Sets a cluster setting. */
  record PutSetting(String name, String value) implements KvOp {
    public PutSetting {
      Limits.checkString("setting name", name, Limits.MAX_SETTING_NAME_BYTES, false);
      Limits.checkString("setting value", value, Limits.MAX_SETTING_VALUE_BYTES, true);
    }
  }

  /** Removes a cluster setting; NOT_FOUND when absent. */
  record RemoveSetting(String name) implements KvOp {
    public RemoveSetting {
      Limits.checkString("setting name", name, Limits.MAX_SETTING_NAME_BYTES, false);
    }
  }

  /** Convenience for tests and callers building member entries. */
  static PutMember member(String nodeId, String spiffeId, List<String> addresses, Set<String> roles) {
    return new PutMember(new Member(nodeId, spiffeId, addresses, roles));
  }
}
