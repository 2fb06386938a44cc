package dev.x0tta6bl4.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.x0tta6bl4.consensus.ConsensusException;
import dev.x0tta6bl4.consensus.ConsensusException.NoQuorumException;
import dev.x0tta6bl4.consensus.ConsensusException.NotLeaderException;
import dev.x0tta6bl4.consensus.ConsensusException.StorageFailureException;
import dev.x0tta6bl4.consensus.ConsensusException.ValueTooLargeException;
import dev.x0tta6bl4.observability.HttpResponse;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The typed errors of the consensus module become the documented status, code and headers. */
class ConsensusResponsesTest {
  private static JsonNode error(HttpResponse r) throws IOException {
    return ApiResponses.JSON.readTree(r.body()).get("error");
  }

  @Test
  void notLeader_is409WithLeaderInBodyAndHeader() throws IOException {
    HttpResponse r = ConsensusResponses.fromFailure(
        new CompletionException(new NotLeaderException("n2", null)), null);

    assertThat(r.status()).isEqualTo(409);
    assertThat(error(r).get("code").asText()).isEqualTo("not_leader");
    assertThat(error(r).get("leader").asText()).isEqualTo("n2");
    assertThat(error(r).get("leader_address").isNull()).as("no store to resolve it").isTrue();
    assertThat(r.headers()).containsEntry("x-meshd-leader", "n2");
  }

  @Test
  void notLeader_unknownLeader_nullHintAndNoHeader() throws IOException {
    HttpResponse r = ConsensusResponses.fromFailure(new NotLeaderException(null, null), null);

    assertThat(r.status()).isEqualTo(409);
    assertThat(error(r).get("leader").isNull()).isTrue();
    assertThat(r.headers()).doesNotContainKey("x-meshd-leader");
  }

  @Test
  void noQuorumAndOwnTimeout_are503WithRetryAfter() throws IOException {
    for (Throwable t : new Throwable[] {new NoQuorumException("no quorum: deadline", null),
        new TimeoutException("the Raft group did not answer within 11000 ms")}) {
      HttpResponse r = ConsensusResponses.fromFailure(t, null);
      assertThat(r.status()).isEqualTo(503);
      assertThat(error(r).get("code").asText()).isEqualTo("no_quorum");
      assertThat(error(r).get("retry_after_ms").asInt()).isEqualTo(1000);
      assertThat(r.headers()).containsEntry("retry-after", "1");
    }
  }

  @Test
  void storageFailures_are507DiskFullOnlyWhenOutOfSpace() throws IOException {
    HttpResponse full = ConsensusResponses.fromFailure(new StorageFailureException(
        "Raft log failure", new IOException("No space left on device")), null);
    HttpResponse other = ConsensusResponses.fromFailure(new StorageFailureException(
        "Raft log failure", new IOException("Input/output error")), null);

    HttpResponse floor = ConsensusResponses.fromFailure(new ConsensusException.DiskFullException(
        "writes refused: 10 MiB free, below the floor of 64 MiB", null), null);
    assertThat(floor.status()).isEqualTo(507);
    assertThat(error(floor).get("code").asText()).isEqualTo("disk_full");
    assertThat(full.status()).isEqualTo(507);
    assertThat(error(full).get("code").asText()).isEqualTo("disk_full");
    assertThat(other.status()).isEqualTo(507);
    assertThat(error(other).get("code").asText()).isEqualTo("storage_failure");
  }

  @Test
  void otherConsensusFailures_map() throws IOException {
    assertThat(ConsensusResponses.fromFailure(new ValueTooLargeException("too big"), null)
        .status()).isEqualTo(413);
    HttpResponse closed = ConsensusResponses.fromFailure(
        new ConsensusException("store is closed"), null);
    assertThat(closed.status()).isEqualTo(503);
    assertThat(error(closed).get("code").asText()).isEqualTo("unavailable");
    HttpResponse notRunning = ConsensusResponses.fromFailure(
        new IllegalStateException("the Raft member of 'n1' is closed"), null);
    assertThat(error(notRunning).get("code").asText()).isEqualTo("unavailable");
    HttpResponse raced = ConsensusResponses.fromFailure(
        new IllegalArgumentException("voter 'n4' is already a member"), null);
    assertThat(raced.status()).isEqualTo(409);
    assertThat(error(raced).get("code").asText()).isEqualTo("membership_conflict");
    HttpResponse bug = ConsensusResponses.fromFailure(new NullPointerException(), null);
    assertThat(bug.status()).isEqualTo(500);
  }
}
