package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Runs a test class with Netty's paranoid leak detection and fails it when Netty reports a leaked
 * buffer created by fault-injection code. A backstop only: leak reports depend on garbage
 * collection, so the exact check is {@link FaultInjectorFixture#close()}'s reference counts.
 */
final class FaultInjectorLeakWatch implements BeforeAllCallback, AfterAllCallback {
  private static final String OUR_FRAMES = "dev.x0tta6bl4.node.transport.Fault";

  private ListAppender<ILoggingEvent> appender;
  private Logger logger;

  @Override
  public void beforeAll(ExtensionContext context) {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      // A paranoid detector reports collected, unreleased buffers on the next allocation.
      for (int i = 0; i < 5; i++) {
        System.gc();
        UnpooledByteBufAllocator.DEFAULT.directBuffer(1).release();
      }
      List<String> ours =
          appender.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .filter(message -> message.contains(OUR_FRAMES))
              .toList();
      assertThat(ours).as("Netty leak reports naming fault-injection code").isEmpty();
    } finally {
      logger.detachAppender(appender);
      appender.stop();
    }
  }
}
