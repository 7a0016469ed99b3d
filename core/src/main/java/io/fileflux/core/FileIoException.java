package io.fileflux.core;

import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * An I/O operation on an open file failed: carries the path, the file offset, the operation and the
 * native error (errno or Win32 code, with its symbolic name). Immutable.
 */
public class FileIoException extends IOException {

    private final Path path;
    private final long offset;
    private final String operation;
    private final int errorCode;
    private final String errorName;

    /**
     * @param operation  {@code read}, {@code write}, {@code sync}, ...
     * @param offset     the file offset of the failed operation, or -1 when it has none
     * @param errorCode  the native error number (errno, Win32 error), or 0 when none applies
     * @param errorName  the symbolic name of the error ({@code EIO}, {@code ERROR_HANDLE_EOF}), or a
     *                   short description
     */
    public FileIoException(String operation, Path path, long offset, int errorCode, String errorName,
                           @Nullable String detail, @Nullable Throwable cause) {
        super(message(operation, path, offset, errorCode, errorName, detail), cause);
        this.path = path;
        this.offset = offset;
        this.operation = operation;
        this.errorCode = errorCode;
        this.errorName = errorName;
    }

    public FileIoException(String operation, Path path, long offset, int errorCode, String errorName,
                           @Nullable String detail) {
        this(operation, path, offset, errorCode, errorName, detail, null);
    }

    private static String message(String operation, Path path, long offset, int code, String name,
                                  String detail) {
        StringBuilder sb = new StringBuilder(operation).append(" failed: ").append(path);
        if (offset >= 0) {
            sb.append(" at offset ").append(offset);
        }
        sb.append(": ").append(name);
        if (code != 0) {
            sb.append(" (").append(code).append(')');
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(' ').append(detail);
        }
        return sb.toString();
    }

    public Path path() {
        return path;
    }

    /** The file offset of the failed operation, or -1. */
    public long offset() {
        return offset;
    }

    public String operation() {
        return operation;
    }

    /** The native error number (errno on Linux, Win32 error code on Windows), 0 if none. */
    public int errorCode() {
        return errorCode;
    }

    /** The symbolic name of {@link #errorCode()}. */
    public String errorName() {
        return errorName;
    }
}
