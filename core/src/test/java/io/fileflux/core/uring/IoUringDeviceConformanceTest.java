package io.fileflux.core.uring;

import io.fileflux.core.DeviceConformanceTest;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;

/** The device conformance suite on the io_uring engine (skipped where io_uring is unavailable). */
class IoUringDeviceConformanceTest extends DeviceConformanceTest {

    @Override
    protected FileEngine createEngine() {
        IoUringTestSupport.assumeIoUring();
        return Engines.create(IoUringEngine.NAME);
    }

    @Override
    protected boolean readsFromPageCache() {
        return true;
    }
}
