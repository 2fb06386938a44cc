package dev.x0tta6bl4.node.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerTest {

  /** Records start and close calls into a shared journal. */
  static class Recorder implements Component {
    final String name;
    final List<String> journal;
    int closes;

    Recorder(String name, List<String> journal) {
      this.name = name;
      this.journal = journal;
    }

    @Override
    public void start() {
      journal.add("start " + name);
    }

    @Override
    public void close() {
      closes++;
      journal.add("close " + name);
    }

    @Override
    public String componentName() {
      return name;
    }
  }

  static class A extends Recorder {
    A(List<String> j) {
      super("A", j);
    }
  }

  static class B extends Recorder {
    B(A a, List<String> j) {
      super("B", j);
    }
  }

  static class C extends Recorder {
    C(B b, List<String> j) {
      super("C", j);
    }
  }

  @Test
  void start_dependenciesDeclaredLater_startsInBuildOrderAndClosesInReverse() {
    List<String> journal = new ArrayList<>();
    Container container =
        Container.builder()
            .bind(C.class, c -> new C(c.get(B.class), journal))
            .bind(B.class, c -> new B(c.get(A.class), journal))
            .bind(A.class, c -> new A(journal))
            .build();

    container.start();
    container.close();

    assertThat(journal)
        .containsExactly("start A", "start B", "start C", "close C", "close B", "close A");
  }

  @Test
  void get_cycle_errorNamesTheWholeCycle() {
    Container container =
        Container.builder()
            .bind(A.class, c -> {
              c.get(B.class);
              return new A(new ArrayList<>());
            })
            .bind(B.class, c -> {
              c.get(C.class);
              return new B(null, new ArrayList<>());
            })
            .bind(C.class, c -> new C(c.get(B.class), new ArrayList<>()))
            .build();

    assertThatThrownBy(container::start)
        .isInstanceOf(WiringException.class)
        .hasMessage("dependency cycle: B -> C -> B");
  }

  @Test
  void start_componentFails_closesWhatWasBuiltInReverseAndRethrows() {
    List<String> journal = new ArrayList<>();
    Container container =
        Container.builder()
            .bind(A.class, c -> new A(journal))
            .bind(B.class, c -> new B(c.get(A.class), journal) {
              @Override
              public void start() {
                throw new IllegalStateException("port 7600 in use");
              }
            })
            .bind(C.class, c -> new C(c.get(B.class), journal))
            .build();

    assertThatThrownBy(container::start)
        .isInstanceOf(WiringException.class)
        .hasMessageContaining("failed to start B")
        .hasMessageContaining("port 7600 in use");
    assertThat(journal).containsExactly("start A", "close B", "close A");
    assertThat(container.isRunning()).isFalse();
  }

  @Test
  void start_factoryFails_closesWhatWasBuilt() {
    List<String> journal = new ArrayList<>();
    Container container =
        Container.builder()
            .bind(A.class, c -> new A(journal))
            .bind(B.class, c -> {
              throw new java.io.IOException("state dir not writable");
            })
            .build();

    assertThatThrownBy(container::start)
        .hasMessageContaining("failed to build")
        .hasMessageContaining("state dir not writable");
    assertThat(journal).containsExactly("start A", "close A");
  }

  interface Service {}

  static class ServiceImpl extends Recorder implements Service {
    ServiceImpl(List<String> j) {
      super("S", j);
    }
  }

  @Test
  void start_oneInstanceBoundUnderTwoTypes_startsAndClosesItOnce() {
    List<String> journal = new ArrayList<>();
    Container container =
        Container.builder()
            .bind(ServiceImpl.class, c -> new ServiceImpl(journal))
            .bind(Service.class, c -> c.get(ServiceImpl.class))
            .build();
    container.start();

    assertThat(container.get(Service.class)).isSameAs(container.get(ServiceImpl.class));
    assertThat(container.startedComponents()).hasSize(1);
    container.close();

    assertThat(journal).containsExactly("start S", "close S");
  }

  @Test
  void close_calledTwice_closesEachComponentOnce() {
    List<String> journal = new ArrayList<>();
    A a = new A(journal);
    Container container = Container.builder().bindInstance(A.class, a).build();
    container.start();

    container.close();
    container.close();

    assertThat(a.closes).isEqualTo(1);
  }

  @Test
  void close_oneCloseFails_othersStillCloseAndFailuresAreReported() {
    List<String> journal = new ArrayList<>();
    Container container =
        Container.builder()
            .bind(A.class, c -> new A(journal) {
              @Override
              public void close() {
                super.close();
                throw new IllegalStateException("A broke");
              }
            })
            .bind(B.class, c -> new B(c.get(A.class), journal) {
              @Override
              public void close() {
                super.close();
                throw new IllegalStateException("B broke");
              }
            })
            .bind(C.class, c -> new C(c.get(B.class), journal))
            .build();
    container.start();

    assertThatThrownBy(container::close)
        .isInstanceOf(WiringException.class)
        .hasMessageContaining("B broke")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
            .containsExactly("A broke"));
    assertThat(journal).endsWith("close C", "close B", "close A");
  }

  @Test
  void override_replacesBindingForTests() {
    Clock fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    Container container =
        Container.builder()
            .bind(Clock.class, c -> Clock.systemUTC())
            .override(Clock.class, c -> fixed)
            .build();

    assertThat(container.get(Clock.class)).isSameAs(fixed);
  }

  @Test
  void override_unboundType_isRejected() {
    assertThatThrownBy(() -> Container.builder().override(Clock.class, c -> Clock.systemUTC()))
        .isInstanceOf(WiringException.class)
        .hasMessageContaining("not bound");
  }

  @Test
  void bind_sameTypeTwice_isRejected() {
    assertThatThrownBy(
            () -> Container.builder()
                .bind(Clock.class, c -> Clock.systemUTC())
                .bind(Clock.class, c -> Clock.systemUTC()))
        .isInstanceOf(WiringException.class)
        .hasMessageContaining("already bound");
  }

  @Test
  void get_unboundType_namesTypeAndRequester() {
    Container container =
        Container.builder().bind(B.class, c -> new B(c.get(A.class), new ArrayList<>())).build();

    assertThatThrownBy(() -> container.get(B.class))
        .hasMessageContaining("no binding for " + A.class.getName())
        .hasMessageContaining("needed by " + B.class.getName());
  }

  @Test
  void get_sameType_returnsSingleton() {
    Container container = Container.builder().bind(A.class, c -> new A(new ArrayList<>())).build();

    assertThat(container.get(A.class)).isSameAs(container.get(A.class));
  }

  @Test
  void get_afterClose_isRejected() {
    Container container = Container.builder().bind(A.class, c -> new A(new ArrayList<>())).build();
    container.close();

    assertThatThrownBy(() -> container.get(A.class)).hasMessageContaining("closed");
  }
}
