package io.fileflux.core.uring;

import io.fileflux.core.EngineProvider;
import io.fileflux.core.EngineStatus;
import io.fileflux.core.FileEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Provides the {@code io_uring} engine: available on Linux when {@code io_uring_setup} works and the
 * kernel supports the opcodes the engine needs; then preferred (priority 100) over the portable one.
 *
 * <p>{@link #probe()} creates and closes a small ring. When it fails, the status says why:
 * {@code ENOSYS} (kernel without io_uring), {@code EPERM} (seccomp, a container policy, or
 * {@code /proc/sys/kernel/io_uring_disabled}), missing opcodes. When it works, the detail carries the
 * kernel version and the ring's feature flags, for {@code ./fileflux info}.
 *
 * <p>Threading: stateless, thread-safe.
 */
public final class IoUringEngineProvider implements EngineProvider {

    static final Path IO_URING_DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");

    /** System property that turns the engine off ({@code -Dfileflux.uring.disabled=true}): nio is chosen. */
    public static final String DISABLED_PROPERTY = "fileflux.uring.disabled";

    @Override
    public String name() {
        return IoUringEngine.NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public EngineStatus probe() {
        String os = System.getProperty("os.name", "");
        if (!os.startsWith("Linux")) {
            return EngineStatus.unavailable(name(), "not Linux (" + os + ")");
        }
        if (Boolean.getBoolean(DISABLED_PROPERTY)) {
            return EngineStatus.unavailable(name(), "turned off by -D" + DISABLED_PROPERTY + "=true");
        }
        String kernel = "Linux " + System.getProperty("os.version");
        String disabled = readDisabled();
        if ("2".equals(disabled)) {
            return EngineStatus.unavailable(name(), kernel + ": io_uring disabled by " + IO_URING_DISABLED + " = 2");
        }
        Ring ring;
        try {
            ring = Ring.create(8, 0);
        } catch (Ring.SetupException e) {
            return EngineStatus.unavailable(name(), kernel + ": " + e.getMessage() + explain(e.errno, disabled));
        } catch (LinkageError e) {
            return EngineStatus.unavailable(name(), "JNA cannot call the C library: " + e);
        }
        try {
            String missing = ring.missingOpcodes();
            if (!missing.isEmpty()) {
                return EngineStatus.unavailable(name(), kernel + ": kernel lacks " + missing);
            }
            if ((ring.features & IoUringAbi.IORING_FEAT_NODROP) == 0) {
                return EngineStatus.unavailable(name(), kernel + ": kernel lacks IORING_FEAT_NODROP (Linux 5.5)");
            }
            return EngineStatus.available(name(), kernel + ", features 0x" + Integer.toHexString(ring.features)
                    + " (" + IoUringAbi.featureNames(ring.features) + ")");
        } catch (Ring.SetupException e) {
            return EngineStatus.unavailable(name(), kernel + ": " + e.getMessage());
        } finally {
            ring.close();
        }
    }

    private static String explain(int errno, String disabled) {
        if (errno == Errno.ENOSYS) {
            return " — kernel built without io_uring, or the call is filtered";
        }
        if (errno == Errno.EPERM) {
            return "1".equals(disabled)
                    ? " — " + IO_URING_DISABLED + " = 1 restricts io_uring to the io_uring_group"
                    : " — blocked by seccomp or a container policy";
        }
        return "";
    }

    private static String readDisabled() {
        try {
            return Files.readString(IO_URING_DISABLED).trim();
        } catch (IOException | RuntimeException e) {
            return null; // older kernels have no such knob
        }
    }

    @Override
    public FileEngine create() {
        return new IoUringEngine(IoUringEngine.DEFAULT_ENTRIES);
    }
}
