package dev.x0tta6bl4.node.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a configuration file into a JSON tree in two passes: the first walks the YAML tokens,
 * recording the line and column of every key and value and rejecting duplicate keys, several
 * documents and a top level that is not a mapping; the second builds the tree.
 *
 * <p>Stateless; each call works on its own data.
 */
final class YamlSource {
  /** A configuration file is a few KiB; this bound keeps a wrong path from eating memory. */
  static final int MAX_FILE_BYTES = 1 << 20;

  private YamlSource() {}

  /** Reads {@code file} as strict UTF-8 text, without a leading byte order mark. */
  static String readText(Path file) {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new ConfigException(name + ": is a directory, not a configuration file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new ConfigException(name + ": file not found");
    } catch (AccessDeniedException e) {
      throw new ConfigException(name + ": cannot read file: permission denied");
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot read file: " + e);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new ConfigException(
          name + ": file is larger than 1 MiB; a configuration file is a few KiB");
    }
    String text = decodeUtf8(name, bytes);
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static String decodeUtf8(String name, byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new ConfigException(
          name + ": file is not valid UTF-8 (bad byte at offset " + in.position() + ")");
    }
    return out.flip().toString();
  }

  /**
   * Parses {@code text} (read from {@code name}), recording locations into {@code locations}.
   * An empty document gives an empty mapping.
   */
  static ObjectNode parse(String text, String name, SourceLocations locations) {
    try {
      scan(text, name, locations);
      JsonNode tree = ConfigJackson.MAPPER.readTree(text);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        return ConfigJackson.MAPPER.createObjectNode();
      }
      return (ObjectNode) tree;
    } catch (JsonProcessingException e) {
      throw syntaxError(e, name);
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot parse: " + e);
    }
  }

  private static void scan(String text, String name, SourceLocations locations)
      throws IOException {
    try (JsonParser p = ConfigJackson.YAML_FACTORY.createParser(text)) {
      int depth = 0;
      int rootValues = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME) {
          String path = path(p.getParsingContext());
          String where = where(name, p.currentTokenLocation());
          if (locations.hasKey(path)) {
            throw ConfigException.invalid(path, "duplicate key", "each key once per mapping")
                .locatedAt(where, path);
          }
          locations.recordKey(path, where);
          t = p.nextToken();
          locations.recordValue(path, where(name, p.currentTokenLocation()));
        }
        if (depth == 0 && t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
          rootValues++;
          String where = where(name, p.currentTokenLocation());
          if (rootValues > 1) {
            throw new ConfigException(
                where + ": a second YAML document; allowed: one document per file");
          }
          if (t != JsonToken.START_OBJECT && t != JsonToken.VALUE_NULL) {
            throw new ConfigException(
                where + ": the document is " + ConfigJackson.describeToken(t)
                    + "; allowed: a mapping with keys " + ConfigSchema.NODE_CONFIG.allowedKeys(""));
          }
        }
        if (t.isStructStart()) {
          depth++;
        } else if (t.isStructEnd()) {
          depth--;
        }
      }
    }
  }

  /** The dotted key path of the field the parser is on, e.g. {@code metrics.bind}. */
  private static String path(JsonStreamContext context) {
    Deque<String> segments = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      segments.addFirst(c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.getCurrentName());
    }
    return String.join(".", segments);
  }

  private static String where(String name, JsonLocation location) {
    return name + ":" + location.getLineNr() + ":" + location.getColumnNr();
  }

  private static ConfigException syntaxError(JsonProcessingException e, String name) {
    String problem = e.getOriginalMessage();
    JsonLocation location = e.getLocation();
    String where = location == null ? name : where(name, location);
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
      Mark mark = m.getProblemMark();
      where = name + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
      problem = m.getContext() == null ? m.getProblem() : m.getProblem() + " " + m.getContext();
    }
    return new ConfigException(where + ": invalid YAML: " + problem);
  }
}
