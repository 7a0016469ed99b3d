package io.fileflux.core.iocp;

import io.fileflux.core.DeviceConformanceTest;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The device conformance suite on the iocp engine: Windows only (under Wine in CI, {@code .ci/wine-test.sh}). */
@EnabledOnOs(OS.WINDOWS)
class IocpDeviceConformanceTest extends DeviceConformanceTest {

    @Override
    protected FileEngine createEngine() {
        return Engines.create("iocp");
    }

    /** A named pipe whose server end never writes. */
    @Override
    protected SilentPipe silentPipe() {
        PipeServer server = new PipeServer();
        return new SilentPipe() {
            @Override
            public Path path() {
                return server.path();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
