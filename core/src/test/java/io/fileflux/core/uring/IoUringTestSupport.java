package io.fileflux.core.uring;

import io.fileflux.core.DeviceReads;
import io.fileflux.core.FileDevice;
import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Helpers shared by the io_uring tests. */
final class IoUringTestSupport {

    /** Bounds waits for an observable state; only a hung test ever reaches it. */
    static final Duration BOUND = Duration.ofSeconds(30);

    private IoUringTestSupport() {
    }

    /** Skips the test where io_uring is not available (not Linux, seccomp, disabled). */
    static void assumeIoUring() {
        var status = new IoUringEngineProvider().probe();
        Assumptions.assumeTrue(status.available(), "io_uring unavailable: " + status.detail());
    }

    /** Waits (bounded by {@link #BOUND}) for a counter to reach 0. */
    static void awaitZero(java.util.function.LongSupplier counter) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (counter.getAsLong() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, counter.getAsLong());
    }

    /**
     * Returns once everything submitted to {@code engine} before this call is in the kernel: a read of a
     * small file submitted after it has completed, and the completion thread writes SQEs in the order
     * they were submitted, which is the order the kernel consumes them in. Replaces "sleep a little so
     * that the op reaches the kernel". The read's device is closed (and no longer counted) on return.
     */
    static void barrier(IoUringEngine engine, Path dir) throws Exception {
        long openBefore = engine.stats().openDevices();
        Path f = Files.createTempFile(dir, "barrier", ".bin");
        Files.write(f, new byte[] {42});
        FileDevice d = engine.open(f);
        try {
            if (DeviceReads.read(d, ByteBuffer.allocate(1), 0) != 1) {
                throw new IOException("the barrier read did not read its byte");
            }
        } finally {
            d.closeAsync().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
        // the device is uncounted just after its close future completes
        TestFiles.await(BOUND, "the barrier's device uncounted: " + engine.stats(),
                () -> engine.stats().openDevices() <= openBefore);
    }

    static void mkfifo(Path path) {
        LinuxNative.mkfifo(LinuxNative.cPath(path), 0600);
    }
}
