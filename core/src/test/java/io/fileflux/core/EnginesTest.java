package io.fileflux.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnginesTest {

    @Test
    void knowsThePortableEngineAndSharesOneInstancePerName() {
        assertTrue(Engines.names().contains("nio"), Engines.names().toString());
        assertTrue(Engines.probeAll().stream().anyMatch(s -> s.name().equals("nio") && s.available()));
        assertSame(Engines.shared("nio"), Engines.shared("nio"));
        assertEquals("nio", Engines.shared("nio").name());
    }

    /**
     * Issue 11, reproduction 9: closing a shared engine was accepted and broke every later default read
     * in the JVM. It is refused, with what to do instead, and the engine keeps serving.
     */
    @Test
    void closingASharedEngineIsRefusedAndTheEngineKeepsServing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f");
        byte[] content = TestFiles.create(file, 1000, 1);
        List<FileEngine> shared = new ArrayList<>();
        shared.add(Engines.shared());
        for (EngineStatus s : Engines.probeAll()) {
            if (s.available()) {
                shared.add(Engines.shared(s.name()));
            }
        }
        for (FileEngine engine : shared) {
            IllegalStateException e = assertThrows(IllegalStateException.class, engine::close);
            assertEquals("the shared " + engine.name() + " engine lives as long as the JVM and cannot be closed;"
                    + " create your own with Engines.create(\"" + engine.name() + "\") to close it", e.getMessage());
            FileDevice device = engine.open(file);
            try {
                assertArrayEquals(content, DeviceReads.readRange(device, 0, -1, 4096, true), engine.name());
            } finally {
                device.closeAsync().get(10, TimeUnit.SECONDS);
            }
        }
        FileEngine own = Engines.create("nio");
        own.close();
        own.close(); // an engine of one's own closes, and twice is harmless
    }

    @Test
    void unknownEngineNameIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engines.shared("nope"));
        assertTrue(e.getMessage().contains("unknown engine 'nope'"), e.getMessage());
        assertTrue(e.getMessage().contains("nio"), e.getMessage());
    }

    @Test
    void propertyForcesTheEngine() {
        String old = System.getProperty(Engines.ENGINE_PROPERTY);
        try {
            System.setProperty(Engines.ENGINE_PROPERTY, "nio");
            Engines.Selection s = Engines.select();
            assertEquals("nio", s.name());
            assertTrue(s.reason().contains("forced"), s.reason());
            System.setProperty(Engines.ENGINE_PROPERTY, "bogus");
            assertThrows(IllegalArgumentException.class, Engines::select);
        } finally {
            if (old == null) {
                System.clearProperty(Engines.ENGINE_PROPERTY);
            } else {
                System.setProperty(Engines.ENGINE_PROPERTY, old);
            }
        }
    }

    @Test
    void fileIdentityParsesItsOwnFormAndRejectsGarbage() {
        FileIdentity id = new FileIdentity(0xfd01L, 123456789L);
        assertEquals(id, FileIdentity.parse(id.toString()));
        assertThrows(IllegalArgumentException.class, () -> FileIdentity.parse("nonsense"));
    }
}
