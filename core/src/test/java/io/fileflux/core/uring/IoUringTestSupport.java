package io.fileflux.core.uring;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Helpers shared by the io_uring tests. */
final class IoUringTestSupport {

    private IoUringTestSupport() {
    }

    /** Skips the test where io_uring is not available (not Linux, seccomp, disabled). */
    static void assumeIoUring() {
        var status = new IoUringEngineProvider().probe();
        Assumptions.assumeTrue(status.available(), "io_uring unavailable: " + status.detail());
    }

    /** Waits up to 5 s for a counter to reach 0. */
    static void awaitZero(java.util.function.LongSupplier counter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter.getAsLong() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, counter.getAsLong());
    }

    static void mkfifo(Path path) {
        LinuxNative.mkfifo(LinuxNative.cPath(path), 0600);
    }
}
