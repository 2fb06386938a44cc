package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshdMetricsTest {
  private final PrometheusMeterRegistry registry = MeshdMetrics.create("1.2.3-test");

  @AfterEach
  void closeRegistry() {
    registry.close();
  }

  @Test
  void create_default_exposesJvmProcessAndBuildInfo() {
    String text = registry.scrape(ObservabilityEndpoints.PROMETHEUS_TEXT);

    assertThat(text)
        .contains("jvm_memory_used_bytes{")
        .contains("jvm_buffer_count_buffers{")
        .contains("jvm_gc_")
        .contains("jvm_threads_live_threads")
        .contains("jvm_classes_loaded_classes")
        .contains("jvm_compilation_time_ms_total")
        .contains("process_cpu_usage")
        .contains("process_uptime_seconds")
        .contains("process_files_open_files")
        .contains("system_cpu_count")
        .contains("meshd_build_info{version=\"1.2.3-test\"} 1");
  }

  @Test
  void create_blankVersion_throwsNamingVersion() {
    assertThatThrownBy(() -> MeshdMetrics.create(" "))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("version ' '");
  }

  @Test
  void register_meshdMeterFollowingConvention_rendersWithPrefixAndTotal() {
    Counter.builder(MeshdMetrics.meterName("link", "frames.sent")).register(registry).increment(3);
    Timer.builder("meshd.link.handshake.duration").register(registry)
        .record(Duration.ofMillis(250));

    String text = registry.scrape(ObservabilityEndpoints.PROMETHEUS_TEXT);

    assertThat(text)
        .contains("meshd_link_frames_sent_total 3")
        .contains("meshd_link_handshake_duration_seconds_sum 0.25");
  }

  @Test
  void register_meshdMeterOutsideConvention_throwsNamingTheMeter() {
    assertThatThrownBy(() -> Counter.builder("meshd_frames").register(registry))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("'meshd_frames'")
        .hasMessageContaining("meshd.<area>.<name>");
    assertThatThrownBy(() -> Counter.builder("meshd.frames").register(registry))
        .isInstanceOf(ObservabilityException.class);
    assertThatThrownBy(() -> Counter.builder("meshd.Link.Frames").register(registry))
        .isInstanceOf(ObservabilityException.class);
    assertThatThrownBy(() -> Timer.builder("meshd.link.latency.ms").register(registry))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("base units");
    assertThatThrownBy(() -> Counter.builder("meshd.link.frames.total").register(registry))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("'total'");

    assertThat(registry.find("meshd_frames").meter()).isNull();
  }

  @Test
  void register_libraryMeter_isNotChecked() {
    Counter.builder("ratis.log.appends").register(registry).increment();

    assertThat(registry.scrape(ObservabilityEndpoints.PROMETHEUS_TEXT))
        .contains("ratis_log_appends_total 1");
  }

  @Test
  void meterName_invalidArea_throwsNamingArea() {
    assertThat(MeshdMetrics.meterName("raft", "commit.index")).isEqualTo("meshd.raft.commit.index");
    assertThatThrownBy(() -> MeshdMetrics.meterName("Raft", "x"))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("area 'Raft'");
    assertThatThrownBy(() -> MeshdMetrics.meterName("raft", "apply.millis"))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("millis");
  }

  @Test
  void bindEventLoopGroup_netty42Group_exposesPendingTasksPerLoop() throws Exception {
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
        NioIoHandler.newFactory());
    try {
      MeshdMetrics.bindEventLoopGroup(registry, group, "mesh");
      // Park one loop on a latch, then queue a task behind it: that loop has one pending task.
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch parked = new CountDownLatch(1);
      var loop = group.next();
      loop.execute(() -> {
        parked.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(parked.await(10, TimeUnit.SECONDS)).isTrue();
      loop.execute(() -> { });

      String text = registry.scrape(ObservabilityEndpoints.PROMETHEUS_TEXT);
      release.countDown();

      assertThat(text).contains("netty_eventexecutor_workers{group=\"mesh\"} 2");
      assertThat(text.lines().filter(l -> l.startsWith("netty_eventexecutor_tasks_pending{")))
          .hasSize(2)
          .allMatch(l -> l.contains("group=\"mesh\""))
          .anyMatch(l -> l.endsWith(" 1.0"));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void bindEventLoopGroup_blankName_throws() {
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
        NioIoHandler.newFactory());
    try {
      assertThatThrownBy(() -> MeshdMetrics.bindEventLoopGroup(registry, group, ""))
          .isInstanceOf(ObservabilityException.class)
          .hasMessageContaining("event loop group name ''");
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void close_twice_isSafe() {
    registry.close();
    registry.close();

    assertThat(registry.isClosed()).isTrue();
  }
}
