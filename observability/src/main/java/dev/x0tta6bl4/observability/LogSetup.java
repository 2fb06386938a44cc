package dev.x0tta6bl4.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures Logback programmatically: one console appender on stdout in the chosen {@link
 * LogFormat}, a root level and per-logger levels. Replaces whatever configuration was active
 * (logback.xml included), so it can be called again, e.g. after a configuration reload.
 *
 * <p>Call from the composition root at start-up (or on reload), not concurrently with itself;
 * logging from other threads during the switch is safe but events in flight may be dropped.
 * Nothing to close: {@code LoggerContext.stop()} at JVM exit flushes.
 */
public final class LogSetup {
  /** Pattern of {@link LogFormat#TEXT}: time, level, thread, logger, MDC, message. */
  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36}%replace( %mdc){' $', ''}"
          + " - %msg%n";

  private static final String ALLOWED = "TRACE, DEBUG, INFO, WARN, ERROR, OFF";

  private LogSetup() {}

  /**
   * (Re)configures logging.
   *
   * @param format JSON for machines, TEXT for people
   * @param rootLevel level of the root logger, e.g. {@code INFO} (case-insensitive)
   * @param loggerLevels logger name to level, e.g. {@code io.netty -> WARN}
   * @throws ObservabilityException if a level name is invalid (nothing is changed then) or SLF4J
   *     is not bound to Logback
   */
  public static void configure(
      LogFormat format, String rootLevel, Map<String, String> loggerLevels) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(loggerLevels, "loggerLevels");
    Level root = parse(Logger.ROOT_LOGGER_NAME, rootLevel);
    Map<String, Level> levels = new LinkedHashMap<>();
    loggerLevels.forEach((name, level) -> levels.put(name, parse(name, level)));

    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      throw new ObservabilityException(
          "SLF4J is bound to " + factory.getClass().getName()
              + ": expected Logback's LoggerContext (logback-classic on the class path)");
    }
    LoggerContext context = (LoggerContext) factory;
    context.reset();

    Encoder<ILoggingEvent> encoder = encoder(format, context);
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("stdout");
    appender.setEncoder(encoder);
    appender.start();

    ch.qos.logback.classic.Logger rootLogger = context.getLogger(Logger.ROOT_LOGGER_NAME);
    rootLogger.setLevel(root);
    rootLogger.addAppender(appender);
    QUIET_BY_DEFAULT.forEach(
        (name, level) -> {
          // Quieter than the root only: a root of ERROR or OFF must not let WARN through.
          if (!levels.containsKey(name) && level.toInt() > root.toInt()) {
            context.getLogger(name).setLevel(level);
          }
        });
    levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
    bridgeJavaUtilLogging(context);
  }

  /**
   * Libraries whose INFO lines are per-connection chatter (Bouncy Castle's JSSE logs every
   * accepted TLS connection); an explicit {@code logging.levels} entry overrides these.
   */
  private static final Map<String, Level> QUIET_BY_DEFAULT =
      Map.of("org.bouncycastle", Level.WARN, "io.netty", Level.WARN);

  /**
   * Routes java.util.logging (used by Bouncy Castle's JSSE) into SLF4J, so those lines become
   * JSON on stdout like the rest instead of plain text on stderr. Logback's levels are
   * propagated to JUL so filtered records are not even created. Idempotent.
   */
  public static void bridgeJavaUtilLogging() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext context) {
      bridgeJavaUtilLogging(context);
    }
  }

  private static synchronized void bridgeJavaUtilLogging(LoggerContext context) {
    if (context.getCopyOfListenerList().stream().noneMatch(l -> l instanceof LevelChangePropagator)) {
      LevelChangePropagator propagator = new LevelChangePropagator();
      propagator.setContext(context);
      propagator.setResetJUL(true);
      propagator.start();
      context.addListener(propagator);
    }
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  private static Encoder<ILoggingEvent> encoder(LogFormat format, LoggerContext context) {
    if (format == LogFormat.JSON) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      // The "level_value" number duplicates "level"; one field per fact keeps lines short.
      json.setFieldNames(fieldNamesWithoutLevelValue());
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(TEXT_PATTERN);
    text.start();
    return text;
  }

  private static LogstashFieldNames fieldNamesWithoutLevelValue() {
    LogstashFieldNames names = new LogstashFieldNames();
    names.setLevelValue("[ignore]");
    return names;
  }

  private static Level parse(String logger, String level) {
    if (logger == null || logger.isBlank()) {
      throw new ObservabilityException(
          "logger name '" + logger + "' is invalid: expected a non-blank logger name");
    }
    String upper = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
    switch (upper) {
      case "TRACE":
        return Level.TRACE;
      case "DEBUG":
        return Level.DEBUG;
      case "INFO":
        return Level.INFO;
      case "WARN":
        return Level.WARN;
      case "ERROR":
        return Level.ERROR;
      case "OFF":
        return Level.OFF;
      default:
        throw new ObservabilityException(
            "log level '" + level + "' for logger '" + logger + "' is invalid: expected one of "
                + ALLOWED);
    }
  }
}
