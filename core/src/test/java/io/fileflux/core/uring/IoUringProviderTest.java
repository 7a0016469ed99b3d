package io.fileflux.core.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.EngineProvider;
import io.fileflux.core.EngineStatus;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Selection, probing and errno mapping. */
class IoUringProviderTest {

    @Test
    void registeredAsAServiceWithTopPriority() {
        boolean found = ServiceLoader.load(EngineProvider.class).stream()
                .anyMatch(p -> p.type() == IoUringEngineProvider.class);
        assertTrue(found);
        assertEquals(100, new IoUringEngineProvider().priority());
        assertEquals("io_uring", new IoUringEngineProvider().name());
    }

    @Test
    void probeReportsKernelAndFeaturesOrWhyNot() {
        EngineStatus s = new IoUringEngineProvider().probe();
        if (s.available()) {
            assertTrue(s.detail().startsWith("Linux "), s.detail());
            assertTrue(s.detail().contains("SINGLE_MMAP"), s.detail());
        } else {
            assertFalse(s.detail().isBlank());
        }
    }

    @Test
    void propertyTurnsTheEngineOff() {
        String old = System.getProperty(IoUringEngineProvider.DISABLED_PROPERTY);
        System.setProperty(IoUringEngineProvider.DISABLED_PROPERTY, "true");
        try {
            EngineStatus s = new IoUringEngineProvider().probe();
            assertFalse(s.available());
            assertTrue(s.detail().contains(IoUringEngineProvider.DISABLED_PROPERTY), s.detail());
        } finally {
            if (old == null) {
                System.clearProperty(IoUringEngineProvider.DISABLED_PROPERTY);
            } else {
                System.setProperty(IoUringEngineProvider.DISABLED_PROPERTY, old);
            }
        }
    }

    @Test
    void openErrnosMapToJavaNioExceptions() {
        Path p = Path.of("/some/file");
        assertInstanceOf(NoSuchFileException.class, Errno.openException(Errno.ENOENT, p, false));
        assertInstanceOf(AccessDeniedException.class, Errno.openException(Errno.EACCES, p, false));
        assertInstanceOf(AccessDeniedException.class, Errno.openException(Errno.EPERM, p, false));
        assertInstanceOf(FileAlreadyExistsException.class, Errno.openException(Errno.EEXIST, p, false));
        assertEquals("Is a directory",
                ((FileSystemException) Errno.openException(Errno.EISDIR, p, false)).getReason());
        assertEquals("Not a directory",
                ((FileSystemException) Errno.openException(Errno.ENOTDIR, p, false)).getReason());
        assertTrue(((FileSystemException) Errno.openException(Errno.EINVAL, p, true)).getReason().contains("O_DIRECT"));
        FileSystemException rofs = (FileSystemException) Errno.openException(Errno.EROFS, p, false);
        assertEquals("Read-only file system (EROFS)", rofs.getReason());
        assertEquals("/some/file", rofs.getFile());
    }
}
