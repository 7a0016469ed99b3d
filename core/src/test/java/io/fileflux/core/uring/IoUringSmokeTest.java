package io.fileflux.core.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoUringSmokeTest {
    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        IoUringTestSupport.assumeIoUring();
        System.out.println(new IoUringEngineProvider().probe());
        Path f = dir.resolve("a");
        Files.write(f, "hello io_uring".getBytes());
        try (IoUringEngine engine = new IoUringEngine(8)) {
            System.out.println(engine.describe());
            var dev = engine.open(f);
            ByteBuffer b = ByteBuffer.allocateDirect(100);
            var r = new IoUringTestSupport.Result();
            dev.read(b, 0, r);
            assertEquals(14, r.get());
            assertEquals(14, b.position());
            dev.closeAsync().get();
        }
    }
}
