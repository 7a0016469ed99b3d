package io.fileflux.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IoErrorKindTest {

    private static FileIoException error(String name) {
        return new FileIoException("read", Path.of("f"), 0, 5, name, null);
    }

    @Test
    void nativeErrorNamesOfBothPlatformsMapToTheirKind() {
        assertEquals(IoErrorKind.IO, IoErrorKind.of(error("EIO")));
        assertEquals(IoErrorKind.IO, IoErrorKind.of(error("ERROR_CRC")));
        assertEquals(IoErrorKind.NO_SPACE, IoErrorKind.of(error("ENOSPC")));
        assertEquals(IoErrorKind.NO_SPACE, IoErrorKind.of(error("ERROR_DISK_FULL")));
        assertEquals(IoErrorKind.ACCESS, IoErrorKind.of(error("EACCES")));
        assertEquals(IoErrorKind.ACCESS, IoErrorKind.of(error("ERROR_ACCESS_DENIED")));
        assertEquals(IoErrorKind.INVALID, IoErrorKind.of(error("EINVAL")));
        assertEquals(IoErrorKind.INVALID, IoErrorKind.of(error("BAD_RESULT")));
        assertEquals(IoErrorKind.ENGINE_CLOSED, IoErrorKind.of(new EngineClosedException("read", Path.of("f"), 0)));
        assertEquals(IoErrorKind.OTHER, IoErrorKind.of(error("ESOMETHING")));
        assertEquals(IoErrorKind.OTHER, IoErrorKind.of(new IOException("plain")));
        assertEquals(IoErrorKind.OTHER, IoErrorKind.ofName(null));
    }
}
