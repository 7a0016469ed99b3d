package io.fileflux.bench;

import java.lang.management.ManagementFactory;

/**
 * A snapshot of what the process has spent so far: wall time, CPU time of all its threads (JIT and GC
 * included), and bytes allocated on the heap by the threads alive now. Subtracting two snapshots gives
 * the cost of what ran between them. Allocation of threads that ended in between is not counted; every
 * contender here runs on long-lived threads (engine, pool, event loop, caller).
 *
 * @param wallNanos  {@code System.nanoTime()}
 * @param cpuNanos   process CPU time
 * @param allocBytes heap bytes allocated by live threads
 */
public record Costs(long wallNanos, long cpuNanos, long allocBytes) {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The costs spent up to now. */
    public static Costs now() {
        long alloc = 0;
        long[] ids = THREADS.getAllThreadIds();
        for (long a : THREADS.getThreadAllocatedBytes(ids)) {
            if (a > 0) {
                alloc += a;
            }
        }
        return new Costs(System.nanoTime(), OS.getProcessCpuTime(), alloc);
    }

    /** The costs spent between {@code earlier} and this snapshot. */
    public Costs minus(Costs earlier) {
        return new Costs(wallNanos - earlier.wallNanos, cpuNanos - earlier.cpuNanos,
                Math.max(0, allocBytes - earlier.allocBytes));
    }
}
