package io.fileflux.core.nio;

import io.fileflux.core.DeviceConformanceTest;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;

/** The device conformance suite on the portable engine. */
class NioDeviceConformanceTest extends DeviceConformanceTest {

    @Override
    protected FileEngine createEngine() {
        return Engines.create("nio");
    }
}
