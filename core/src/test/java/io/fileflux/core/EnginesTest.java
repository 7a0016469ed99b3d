package io.fileflux.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EnginesTest {

    @Test
    void knowsThePortableEngineAndSharesOneInstancePerName() {
        assertTrue(Engines.names().contains("nio"), Engines.names().toString());
        assertTrue(Engines.probeAll().stream().anyMatch(s -> s.name().equals("nio") && s.available()));
        assertSame(Engines.shared("nio"), Engines.shared("nio"));
        assertEquals("nio", Engines.shared("nio").name());
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
