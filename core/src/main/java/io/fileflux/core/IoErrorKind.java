package io.fileflux.core;

import java.util.Set;

/**
 * What kind of failure ended an operation, for counting errors without one counter per native error
 * name: {@link EngineStats#errors(IoErrorKind)} and the {@code fileflux.engine.errors} meter. Cancelled
 * operations are not errors ({@link EngineStats#cancelled()}).
 */
public enum IoErrorKind {
    /** The device failed to transfer the data: {@code EIO}, {@code ENXIO}, {@code ERROR_CRC}, read or write faults. */
    IO,
    /** No room left: {@code ENOSPC}, {@code EDQUOT}, {@code EFBIG}, {@code ERROR_DISK_FULL}, {@code ERROR_HANDLE_DISK_FULL}. */
    NO_SPACE,
    /** Refused: {@code EACCES}, {@code EPERM}, {@code EROFS}, {@code ERROR_ACCESS_DENIED}, {@code ERROR_WRITE_PROTECT}. */
    ACCESS,
    /** A request or a result the kernel or Fileflux found invalid: {@code EINVAL}, {@code EBADF}, {@code EFAULT}, ... */
    INVALID,
    /** The engine was closed with the operation in flight ({@link EngineClosedException}). */
    ENGINE_CLOSED,
    /** Anything else. */
    OTHER;

    private static final Set<String> IO_NAMES = Set.of("EIO", "ENXIO", "ENODEV", "ERROR_CRC", "ERROR_IO_DEVICE",
            "ERROR_READ_FAULT", "ERROR_WRITE_FAULT", "ERROR_SECTOR_NOT_FOUND", "ERROR_DEVICE_NOT_CONNECTED");
    private static final Set<String> NO_SPACE_NAMES = Set.of("ENOSPC", "EDQUOT", "EFBIG", "ERROR_DISK_FULL",
            "ERROR_HANDLE_DISK_FULL");
    private static final Set<String> ACCESS_NAMES = Set.of("EACCES", "EPERM", "EROFS", "ERROR_ACCESS_DENIED",
            "ERROR_WRITE_PROTECT", "ERROR_LOCK_VIOLATION", "ERROR_SHARING_VIOLATION");
    private static final Set<String> INVALID_NAMES = Set.of("EINVAL", "EBADF", "EFAULT", "EOVERFLOW", "EISDIR",
            "ERROR_INVALID_PARAMETER", "ERROR_INVALID_HANDLE", "ERROR_NEGATIVE_SEEK", "BAD_RESULT");

    /** The kind of {@code error} (an operation's failure as its callback received it). */
    public static IoErrorKind of(Throwable error) {
        if (error instanceof EngineClosedException) {
            return ENGINE_CLOSED;
        }
        if (error instanceof FileIoException f) {
            return ofName(f.errorName());
        }
        return OTHER;
    }

    /** The kind of a native error name ({@code EIO}, {@code ERROR_DISK_FULL}); {@link #OTHER} if unknown. */
    public static IoErrorKind ofName(String errorName) {
        if (errorName == null) {
            return OTHER;
        }
        if (IO_NAMES.contains(errorName)) {
            return IO;
        }
        if (NO_SPACE_NAMES.contains(errorName)) {
            return NO_SPACE;
        }
        if (ACCESS_NAMES.contains(errorName)) {
            return ACCESS;
        }
        if (INVALID_NAMES.contains(errorName)) {
            return INVALID;
        }
        if (EngineClosedException.ERROR_NAME.equals(errorName)) {
            return ENGINE_CLOSED;
        }
        return OTHER;
    }
}
