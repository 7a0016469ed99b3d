package io.fileflux.core.iocp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.OpenSpec;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path, disposition and open-error mapping of the iocp engine: plain Java, on every OS. */
class Win32PathsTest {

    @TempDir
    Path dir;

    @Test
    void dispositionFollowsTheOpenOptions() {
        assertEquals(Win32.OPEN_EXISTING, Win32Paths.disposition(OpenSpec.of(Set.of())));
        assertEquals(Win32.OPEN_EXISTING, Win32Paths.disposition(OpenSpec.of(Set.of(StandardOpenOption.WRITE))));
        assertEquals(Win32.OPEN_ALWAYS, Win32Paths.disposition(
                OpenSpec.of(Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE))));
        assertEquals(Win32.CREATE_ALWAYS, Win32Paths.disposition(OpenSpec.of(Set.of(StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING))));
        assertEquals(Win32.TRUNCATE_EXISTING, Win32Paths.disposition(
                OpenSpec.of(Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))));
        assertEquals(Win32.CREATE_NEW, Win32Paths.disposition(OpenSpec.of(Set.of(StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.CREATE))));
    }

    @Test
    void openErrorsAreTheJavaNioExceptions() throws IOException {
        Path file = dir.resolve("f");
        assertInstanceOf(NoSuchFileException.class, Win32Paths.openException(Win32.ERROR_FILE_NOT_FOUND, file));
        assertInstanceOf(NoSuchFileException.class, Win32Paths.openException(Win32.ERROR_PATH_NOT_FOUND, file));
        assertInstanceOf(FileAlreadyExistsException.class, Win32Paths.openException(Win32.ERROR_FILE_EXISTS, file));
        assertInstanceOf(FileAlreadyExistsException.class,
                Win32Paths.openException(Win32.ERROR_ALREADY_EXISTS, file));
        assertInstanceOf(AccessDeniedException.class, Win32Paths.openException(Win32.ERROR_ACCESS_DENIED, file));
        IOException dirDenied = Win32Paths.openException(Win32.ERROR_ACCESS_DENIED, dir);
        assertEquals(FileSystemException.class, dirDenied.getClass(), "a directory is not 'access denied'");
        assertTrue(dirDenied.getMessage().contains("directory"), dirDenied.getMessage());
        IOException inUse = Win32Paths.openException(Win32.ERROR_SHARING_VIOLATION, file);
        assertEquals(FileSystemException.class, inUse.getClass());
        assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
        IOException other = Win32Paths.openException(Win32.ERROR_INVALID_NAME, file);
        assertEquals(FileSystemException.class, other.getClass());
        assertTrue(other.getMessage().contains("ERROR_INVALID_NAME (123)"), other.getMessage());
        assertEquals(file.toString(), ((FileSystemException) other).getFile());
    }

    @Test
    void longPathsGetTheExtendedPrefix() {
        assertEquals("C:\\short\\file", Win32Paths.toWin32("C:\\short\\file"));
        String deep = "C:\\" + "d\\".repeat(150) + "file";
        assertEquals("\\\\?\\" + deep, Win32Paths.toWin32(deep));
        String unc = "\\\\server\\share\\" + "d\\".repeat(150) + "file";
        assertEquals("\\\\?\\UNC\\server\\share\\" + "d\\".repeat(150) + "file", Win32Paths.toWin32(unc));
        assertEquals("\\\\.\\pipe\\" + "p".repeat(300), Win32Paths.toWin32("\\\\.\\pipe\\" + "p".repeat(300)));
        assertEquals("\\\\?\\" + deep, Win32Paths.toWin32("\\\\?\\" + deep));
    }

    @Test
    void errorNamesAreTheSdkNames() {
        assertEquals("ERROR_HANDLE_EOF", Win32.errorName(38));
        assertEquals("ERROR_OPERATION_ABORTED", Win32.errorName(995));
        assertEquals("ERROR_IO_PENDING", Win32.errorName(997));
        assertEquals("ERROR_NOT_FOUND", Win32.errorName(1168));
        assertEquals("WIN32_ERROR_4242", Win32.errorName(4242));
        assertEquals(Win32.ERROR_HANDLE_EOF, Win32.knownNtStatusToWin32(Win32.STATUS_END_OF_FILE));
        assertEquals(Win32.ERROR_OPERATION_ABORTED, Win32.knownNtStatusToWin32(Win32.STATUS_CANCELLED));
        assertEquals(-1, Win32.knownNtStatusToWin32(0xC000009A));
    }
}
