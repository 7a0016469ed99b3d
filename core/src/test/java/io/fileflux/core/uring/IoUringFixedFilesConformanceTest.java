package io.fileflux.core.uring;

import io.fileflux.core.DeviceConformanceTest;
import io.fileflux.core.FileEngine;

/** The device conformance suite on an io_uring engine whose devices are registered files ({@code IOSQE_FIXED_FILE}). */
class IoUringFixedFilesConformanceTest extends DeviceConformanceTest {

    @Override
    protected FileEngine createEngine() {
        IoUringTestSupport.assumeIoUring();
        return new IoUringEngine(IoUringEngine.DEFAULT_ENTRIES, IoUringEngine.parseAsyncThreshold(null), 1, false, true);
    }

    @Override
    protected boolean readsFromPageCache() {
        return true;
    }
}
