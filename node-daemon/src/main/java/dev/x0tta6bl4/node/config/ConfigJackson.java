package dev.x0tta6bl4.node.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import java.util.function.Function;

/**
 * The Jackson setup for configuration: a strict YAML mapper (unknown keys, duplicate keys,
 * trailing documents and type coercions are errors; keys are kebab-case) and (de)serializers
 * that read and print durations, sizes, host:port, paths and enums the way people write them.
 *
 * <p>The mapper is immutable and thread-safe once built.
 */
final class ConfigJackson {
  /** Enums that configuration keys use (declared first: MAPPER below reads it) besides the log enums, written in lower kebab case. */
  private static final List<Class<? extends Enum<?>>> ENUM_TYPES =
      List.of(
          SignatureAlgorithm.class,
          NodeConfig.IdentitySourceKind.class,
          NodeConfig.KeyExchange.class,
          NodeConfig.MapekMode.class,
          HealingAction.class);

  static final YAMLFactory YAML_FACTORY =
      YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          // "key:" with no value is null, as YAML says, not an empty string.
          .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
          // Only true/false are booleans, so "level: off" is the level, not false (YAML 1.2).
          .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
          .build();

  static final YAMLMapper MAPPER =
      YAMLMapper.builder(YAML_FACTORY)
          .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
          .addModule(module())
          .enable(
              DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
              DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
              DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
              DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  /** Types read from and printed as one string; records among them are values, not sections. */
  private static final Set<Class<?>> VALUE_TYPES =
      Set.of(Duration.class, DataSize.class, HostPort.class, VoterAddress.class, Path.class,
          String.class, LogLevel.class, LogFormat.class);

  private ConfigJackson() {}

  static boolean isValueType(Class<?> type) {
    return VALUE_TYPES.contains(type) || type.isEnum();
  }

  /** How an enum constant is written in configuration: lower kebab case, ML_DSA_65 -> ml-dsa-65. */
  static String enumName(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Every constant of {@code type} as written in configuration, for "allowed" texts. */
  static String enumAllowed(Class<?> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(c -> enumName((Enum<?>) c))
        .collect(Collectors.joining(" | "));
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String text) {
    for (E constant : type.getEnumConstants()) {
      if (enumName(constant).equals(text.toLowerCase(Locale.ROOT))) {
        return constant;
      }
    }
    throw ConfigException.invalidValue(
        ConfigException.quote(text) + " is not one of the allowed values", enumAllowed(type));
  }

  private static SimpleModule module() {
    SimpleModule m = new SimpleModule("meshd-config");
    add(m, Duration.class, "a duration", Durations::parse, Durations::format, Durations.ALLOWED);
    add(m, DataSize.class, "a size", DataSize::parse, DataSize::toString, DataSize.ALLOWED);
    add(m, HostPort.class, "host:port", HostPort::parse, HostPort::toString, HostPort.ALLOWED);
    add(m, VoterAddress.class, "id@host:port", VoterAddress::parse, VoterAddress::toString,
        VoterAddress.ALLOWED);
    add(m, Path.class, "a path", ConfigJackson::parsePath, Path::toString, "a file system path");
    add(m, String.class, "a string", s -> s, s -> s, "a string (quote it if it looks like a"
        + " number or boolean)");
    add(m, LogLevel.class, "a log level", LogLevel::parse, LogLevel::configName, LogLevel.ALLOWED);
    add(m, LogFormat.class, "a log format", LogFormat::parse, LogFormat::configName,
        LogFormat.ALLOWED);
    for (Class<? extends Enum<?>> type : ENUM_TYPES) {
      addEnum(m, type);
    }
    return m;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void addEnum(SimpleModule m, Class type) {
    add(m, type, "one of " + enumAllowed(type), text -> parseEnum(type, text),
        value -> enumName((Enum<?>) value), enumAllowed(type));
  }

  private static <T> void add(
      SimpleModule m,
      Class<T> type,
      String what,
      Function<String, T> parse,
      Function<T, String> print,
      String allowed) {
    m.addDeserializer(type, new StrictStringDeserializer<>(what, parse, allowed));
    m.addSerializer(type, new StringSerializer<>(print));
  }

  private static Path parsePath(String text) {
    if (text.isEmpty()) {
      throw ConfigException.invalidValue("empty path", "a file system path");
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw ConfigException.invalidValue(
          ConfigException.quote(text) + " is not a valid path: " + e.getReason(),
          "a file system path");
    }
  }

  /** The kind of value a token starts, for "wrong type" messages. */
  static String describeToken(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_OBJECT -> "a mapping";
      case START_ARRAY -> "a list";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.toString();
    };
  }

  /** Accepts only a string token and parses it; anything else is a wrong type. */
  private static final class StrictStringDeserializer<T> extends JsonDeserializer<T> {
    private final String what;
    private final Function<String, T> parse;
    private final String allowed;

    StrictStringDeserializer(String what, Function<String, T> parse, String allowed) {
      this.what = what;
      this.parse = parse;
      this.allowed = allowed;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw ConfigException.invalidValue(
            "wrong type: expected " + what + " but got " + describeToken(p.currentToken()),
            allowed);
      }
      return parse.apply(p.getText());
    }
  }

  private static final class StringSerializer<T> extends JsonSerializer<T> {
    private final Function<T, String> print;

    StringSerializer(Function<T, String> print) {
      this.print = print;
    }

    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeString(print.apply(value));
    }
  }
}
