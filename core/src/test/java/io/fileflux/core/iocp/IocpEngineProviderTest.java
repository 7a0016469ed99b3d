package io.fileflux.core.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.EngineStatus;
import io.fileflux.core.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Engine selection: iocp is the default on Windows and politely unavailable elsewhere. */
class IocpEngineProviderTest {

    @Test
    void isRegisteredWithTheServiceLoader() {
        assertTrue(Engines.names().contains("iocp"), Engines.names().toString());
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void isUnavailableOffWindowsWithTheReason() {
        EngineStatus status = new IocpEngineProvider().probe();
        assertFalse(status.available());
        assertEquals("not Windows", status.detail());
        assertTrue(Engines.probeAll().stream().anyMatch(s -> s.name().equals("iocp") && !s.available()));
        assertFalse(Engines.select().name().equals("iocp"));
    }

    @Test
    @EnabledOnOs(OS.WINDOWS)
    void isTheDefaultOnWindows() {
        IocpEngineProvider provider = new IocpEngineProvider();
        assertEquals(100, provider.priority());
        EngineStatus status = provider.probe();
        assertTrue(status.available(), status.detail());
        Engines.Selection selection = Engines.select();
        if (System.getProperty(Engines.ENGINE_PROPERTY) == null) {
            assertEquals("iocp", selection.name(), selection.reason());
        }
        assertTrue(Engines.shared("iocp").describe().startsWith("iocp (I/O completion port"));
    }
}
