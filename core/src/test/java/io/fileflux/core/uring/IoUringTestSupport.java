package io.fileflux.core.uring;

import io.fileflux.core.IoCallback;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
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

    /**
     * Waits up to 5 s for a counter to reach 0 ({@code AbstractFileDevice} completes the close future
     * just before it decrements the open-device count).
     */
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

    /** An IoCallback that completes a future with the byte count or the error. */
    static final class Result implements IoCallback {
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        volatile Thread thread;
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void completed(int bytes) {
            thread = Thread.currentThread();
            calls.incrementAndGet();
            future.complete(bytes);
        }

        @Override
        public void failed(IOException error) {
            thread = Thread.currentThread();
            calls.incrementAndGet();
            future.completeExceptionally(error);
        }

        int get() throws Exception {
            return future.get(10, TimeUnit.SECONDS);
        }

        Throwable error() throws Exception {
            try {
                future.get(10, TimeUnit.SECONDS);
                return null;
            } catch (java.util.concurrent.ExecutionException e) {
                return e.getCause();
            }
        }
    }
}
