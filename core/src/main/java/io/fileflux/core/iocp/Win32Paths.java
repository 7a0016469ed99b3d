package io.fileflux.core.iocp;

import io.fileflux.core.OpenSpec;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What {@code CreateFileW} needs from a {@link Path} and an {@link OpenSpec}, and the {@code java.nio.file}
 * exception a Java user expects for each way it fails. Plain Java, unit-tested on every OS.
 */
final class Win32Paths {

    /** Beyond this many characters a path needs the {@code \\?\} prefix (MAX_PATH minus a file name). */
    private static final int LONG_PATH = 248;

    private Win32Paths() {
    }

    /**
     * The absolute path string for {@code CreateFileW}: long paths get the {@code \\?\} (or
     * {@code \\?\UNC\}) prefix; device paths ({@code \\.\pipe\name}) are passed as they are.
     */
    static String toWin32(Path path) {
        return toWin32(path.toAbsolutePath().toString());
    }

    /** {@link #toWin32(Path)} on an absolute path string. */
    static String toWin32(String s) {
        if (s.length() < LONG_PATH || s.startsWith("\\\\?\\") || s.startsWith("\\\\.\\")) {
            return s;
        }
        if (s.startsWith("\\\\")) {
            return "\\\\?\\UNC\\" + s.substring(2);
        }
        return "\\\\?\\" + s;
    }

    /** {@code dwCreationDisposition} for the spec (the same mapping java.nio uses on Windows). */
    static int disposition(OpenSpec spec) {
        if (spec.createNew()) {
            return Win32.CREATE_NEW;
        }
        if (spec.create()) {
            return spec.truncate() ? Win32.CREATE_ALWAYS : Win32.OPEN_ALWAYS;
        }
        return spec.truncate() ? Win32.TRUNCATE_EXISTING : Win32.OPEN_EXISTING;
    }

    /** The exception for a failed {@code CreateFileW} of {@code path} with Win32 error {@code error}. */
    static IOException openException(int error, Path path) {
        String file = path.toString();
        String reason = Win32.errorName(error) + " (" + error + ")";
        switch (error) {
            case Win32.ERROR_FILE_NOT_FOUND:
            case Win32.ERROR_PATH_NOT_FOUND:
            case Win32.ERROR_INVALID_DRIVE:
                return new NoSuchFileException(file, null, reason);
            case Win32.ERROR_FILE_EXISTS:
            case Win32.ERROR_ALREADY_EXISTS:
                return new FileAlreadyExistsException(file, null, reason);
            case Win32.ERROR_ACCESS_DENIED:
                // CreateFileW refuses a directory without FILE_FLAG_BACKUP_SEMANTICS with this code
                if (Files.isDirectory(path)) {
                    return new FileSystemException(file, null, "Is a directory");
                }
                return new AccessDeniedException(file, null, reason);
            case Win32.ERROR_SHARING_VIOLATION:
            case Win32.ERROR_LOCK_VIOLATION:
                return new FileSystemException(file, null,
                        "The file is in use by another process: " + reason);
            default:
                return new FileSystemException(file, null, reason);
        }
    }
}
