package dev.x0tta6bl4.node.heal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The JVM figures {@link NodeSensor} reads: heap use, heap left after the last collections, total
 * GC time and process CPU. {@link #platform()} reads the platform MXBeans (cheap, non-blocking);
 * tests give a fake.
 */
interface JvmProbe {
  /** Heap used / max (committed when max is undefined), now. */
  double heapUsedRatio();

  /**
   * Heap in use right after the last collection of each heap pool, over the heap max: what the
   * application really holds. Empty when the collectors report no such usage.
   */
  OptionalDouble heapAfterGcRatio();

  /** Accumulated collection time of every collector since the JVM started, in milliseconds. */
  long gcMillisTotal();

  /** Recent CPU use of this process in [0, 1], or empty when the platform does not say. */
  OptionalDouble processCpu();

  static JvmProbe platform() {
    return new JvmProbe() {
      private final List<GarbageCollectorMXBean> collectors =
          ManagementFactory.getGarbageCollectorMXBeans();
      private final List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
      private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

      @Override
      public double heapUsedRatio() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return (double) heap.getUsed() / max(heap);
      }

      @Override
      public OptionalDouble heapAfterGcRatio() {
        long used = 0;
        boolean any = false;
        for (MemoryPoolMXBean p : pools) {
          if (p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported()) {
            MemoryUsage after = p.getCollectionUsage();
            if (after != null) {
              used += after.getUsed();
              any = true;
            }
          }
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return any ? OptionalDouble.of((double) used / max(heap)) : OptionalDouble.empty();
      }

      @Override
      public long gcMillisTotal() {
        long total = 0;
        for (GarbageCollectorMXBean gc : collectors) {
          total += Math.max(0, gc.getCollectionTime());
        }
        return total;
      }

      @Override
      public OptionalDouble processCpu() {
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
          double load = sun.getProcessCpuLoad();
          return load >= 0 ? OptionalDouble.of(load) : OptionalDouble.empty();
        }
        return OptionalDouble.empty();
      }

      private long max(MemoryUsage heap) {
        return Math.max(1, heap.getMax() > 0 ? heap.getMax() : heap.getCommitted());
      }
    };
  }
}
