package dev.x0tta6bl4.mapek;

import java.nio.file.Path;

/**
 * A torn or corrupt stretch found while loading the journal: {@code droppedBytes} from
 * {@code offset} to the end of {@code segment} were cut off (they cannot be framed reliably).
 */
public record JournalDamage(Path segment, long offset, long droppedBytes, String reason) {
  @Override
  public String toString() {
    return segment.getFileName() + "@" + offset + ": " + reason + " (" + droppedBytes
        + " bytes truncated)";
  }
}
