package io.fileflux.core.uring;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@link IoUringCancellationTest} on a ring made with {@code IORING_SETUP_SINGLE_ISSUER |
 * IORING_SETUP_DEFER_TASKRUN} (enabled by the completion thread), where the kernel has them.
 */
class IoUringDeferTaskrunCancellationTest extends IoUringCancellationTest {

    @Override
    IoUringEngine newEngine() {
        IoUringEngine e = new IoUringEngine(16, IoUringEngine.parseAsyncThreshold(null), 1, true);
        if (!e.describe().contains("DEFER_TASKRUN")) {
            e.close();
            org.junit.jupiter.api.Assumptions.abort("the kernel refused IORING_SETUP_DEFER_TASKRUN (Linux 6.1+)");
        }
        assertTrue(e.describe().contains("SINGLE_ISSUER"));
        return e;
    }
}
