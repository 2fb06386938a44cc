package dev.x0tta6bl4.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time consumed by the threads whose names start with a prefix (the nodes' event loops,
 * the raw TLS pair's loops). On a shared machine the CPU per message is the figure that load
 * from other processes disturbs least: a starved process gets fewer messages through per second
 * of wall time, but each costs about the same CPU.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ThreadCpu() {}

  /** Total CPU nanoseconds of the live threads named {@code prefix*}; -1 if unsupported. */
  static long nanos(String prefix) {
    if (!THREADS.isThreadCpuTimeSupported()) {
      return -1;
    }
    if (!THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
    long total = 0;
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(prefix)) {
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu > 0) {
          total += cpu;
        }
      }
    }
    return total;
  }
}
