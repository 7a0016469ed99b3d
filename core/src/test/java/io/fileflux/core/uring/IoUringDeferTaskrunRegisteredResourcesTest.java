package io.fileflux.core.uring;

/**
 * Every {@link IoUringRegisteredResourcesTest} on a ring made with {@code IORING_SETUP_SINGLE_ISSUER |
 * IORING_SETUP_DEFER_TASKRUN}, which accepts registrations only from its issuer, the completion thread.
 */
class IoUringDeferTaskrunRegisteredResourcesTest extends IoUringRegisteredResourcesTest {

    @Override
    IoUringEngine newEngine(boolean fixedFiles) {
        IoUringEngine e = new IoUringEngine(16, IoUringEngine.parseAsyncThreshold(null), 1, true, fixedFiles);
        if (!e.describe().contains("DEFER_TASKRUN")) {
            e.close();
            org.junit.jupiter.api.Assumptions.abort("the kernel refused IORING_SETUP_DEFER_TASKRUN (Linux 6.1+)");
        }
        return e;
    }
}
