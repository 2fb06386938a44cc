package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps the number of distinct values of one tag (e.g. {@code peer}): the first {@code limit}
 * values keep their own series; every later value is folded into {@link #OVERFLOW_VALUE}, so
 * a mesh of a thousand peers cannot blow up the scrape.
 *
 * <p>Values are admitted first come, first served and never forgotten, so a series does not
 * change identity while the process lives. Thread-safe; add it to a registry with {@code
 * registry.config().meterFilter(...)} before registering meters that carry the tag.
 */
public final class BoundedTagFilter implements MeterFilter {
  /** The value that stands for every value beyond the limit. */
  public static final String OVERFLOW_VALUE = "_other";

  private final String key;
  private final int limit;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();

  public BoundedTagFilter(String key, int limit) {
    if (key == null || key.isEmpty()) {
      throw new ObservabilityException("tag key must not be empty");
    }
    if (limit < 1) {
      throw new ObservabilityException("limit for tag '" + key + "' must be >= 1, got " + limit);
    }
    this.key = key;
    this.limit = limit;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    String value = id.getTag(key);
    if (value == null || admit(value)) {
      return id;
    }
    List<Tag> tags = new ArrayList<>();
    for (Tag tag : id.getTagsAsIterable()) {
      tags.add(tag.getKey().equals(key) ? Tag.of(key, OVERFLOW_VALUE) : tag);
    }
    return id.replaceTags(tags);
  }

  /** How many distinct values have their own series. */
  public int admittedValues() {
    return admitted.size();
  }

  private boolean admit(String value) {
    if (admitted.contains(value)) {
      return true;
    }
    synchronized (admitted) {
      if (admitted.size() < limit) {
        admitted.add(value);
        return true;
      }
      return admitted.contains(value);
    }
  }
}
