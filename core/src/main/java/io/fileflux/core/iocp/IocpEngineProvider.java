package io.fileflux.core.iocp;

import io.fileflux.core.EngineProvider;
import io.fileflux.core.EngineStatus;
import io.fileflux.core.FileEngine;
import java.util.Locale;

/**
 * Provides the {@code iocp} engine: the preferred engine on Windows (priority 100), unavailable
 * elsewhere with the reason "not Windows".
 */
public final class IocpEngineProvider implements EngineProvider {

    @Override
    public String name() {
        return IocpEngine.NAME;
    }

    @Override
    public int priority() {
        return isWindows() ? 100 : -1;
    }

    @Override
    public EngineStatus probe() {
        if (!isWindows()) {
            return EngineStatus.unavailable(IocpEngine.NAME, "not Windows");
        }
        try {
            Win32Native.load();
            long port = Win32Native.CreateIoCompletionPort(Win32.INVALID_HANDLE_VALUE, 0, 0, 1);
            if (port == 0) {
                return EngineStatus.unavailable(IocpEngine.NAME,
                        "CreateIoCompletionPort failed: " + Win32.errorName(Win32Native.lastError()));
            }
            Win32Native.CloseHandle(port);
            return EngineStatus.available(IocpEngine.NAME, "I/O completion port (kernel32 through JNA), "
                    + "skip-on-success " + (skipOnSuccess() ? "on" : "off"));
        } catch (LinkageError e) {
            return EngineStatus.unavailable(IocpEngine.NAME, "kernel32 not loadable: " + e);
        }
    }

    @Override
    public FileEngine create() {
        return new IocpEngine(skipOnSuccess());
    }

    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    private static boolean skipOnSuccess() {
        return !"false".equalsIgnoreCase(System.getProperty(IocpEngine.SKIP_PROPERTY, "true"));
    }
}
