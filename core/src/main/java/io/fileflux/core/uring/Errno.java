package io.fileflux.core.uring;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Linux {@code errno} values (asm-generic/errno-base.h and errno.h, shared by x86-64 and aarch64): their
 * symbolic names and descriptions, and the {@code java.nio.file} exception an {@code open(2)} failure
 * becomes. Stateless.
 */
final class Errno {

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int E2BIG = 7;
    static final int ENOEXEC = 8;
    static final int EBADF = 9;
    static final int ECHILD = 10;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int ENOTBLK = 15;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EXDEV = 18;
    static final int ENODEV = 19;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ENOTTY = 25;
    static final int ETXTBSY = 26;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int ESPIPE = 29;
    static final int EROFS = 30;
    static final int EMLINK = 31;
    static final int EPIPE = 32;
    static final int EDOM = 33;
    static final int ERANGE = 34;
    static final int EDEADLK = 35;
    static final int ENAMETOOLONG = 36;
    static final int ENOLCK = 37;
    static final int ENOSYS = 38;
    static final int ENOTEMPTY = 39;
    static final int ELOOP = 40;
    static final int ENODATA = 61;
    static final int ETIME = 62;
    static final int EOVERFLOW = 75;
    static final int EBADFD = 77;
    static final int EILSEQ = 84;
    static final int ENOTSOCK = 88;
    static final int EOPNOTSUPP = 95;
    static final int ETIMEDOUT = 110;
    static final int EALREADY = 114;
    static final int ESTALE = 116;
    static final int EREMOTEIO = 121;
    static final int EDQUOT = 122;
    static final int ENOMEDIUM = 123;
    static final int ECANCELED = 125;
    static final int EOWNERDEAD = 130;

    private Errno() {
    }

    /** The symbolic name ({@code EIO}), or {@code errno N} for a code not listed. */
    static String name(int errno) {
        String[] e = lookup(errno);
        return e != null ? e[0] : "errno " + errno;
    }

    /** The C library's description ({@code Input/output error}), or an empty string. */
    static String describe(int errno) {
        String[] e = lookup(errno);
        return e != null ? e[1] : "";
    }

    /**
     * The exception {@code Files.newByteChannel} would throw for an {@code open(2)} that failed with
     * {@code errno}: {@code NoSuchFileException}, {@code AccessDeniedException},
     * {@code FileAlreadyExistsException}, otherwise a {@code FileSystemException} with the description.
     */
    static IOException openException(int errno, Path path, boolean direct) {
        String file = path.toString();
        switch (errno) {
            case ENOENT:
                return new NoSuchFileException(file);
            case EACCES:
            case EPERM:
                return new AccessDeniedException(file);
            case EEXIST:
                return new FileAlreadyExistsException(file);
            case EISDIR:
                return new FileSystemException(file, null, "Is a directory");
            case ENOTDIR:
                return new FileSystemException(file, null, "Not a directory");
            case ELOOP:
                return new FileSystemException(file, null,
                        "Too many levels of symbolic links or unable to access attributes of symbolic link");
            case EINVAL:
                if (direct) {
                    return new FileSystemException(file, null,
                            "direct I/O (O_DIRECT) is not supported by this file system (EINVAL)");
                }
                return new FileSystemException(file, null, describe(errno) + " (EINVAL)");
            default:
                return new FileSystemException(file, null, describe(errno) + " (" + name(errno) + ")");
        }
    }

    private static String[] lookup(int errno) {
        return switch (errno) {
            case 1 -> new String[] {"EPERM", "Operation not permitted"};
            case 2 -> new String[] {"ENOENT", "No such file or directory"};
            case 3 -> new String[] {"ESRCH", "No such process"};
            case 4 -> new String[] {"EINTR", "Interrupted system call"};
            case 5 -> new String[] {"EIO", "Input/output error"};
            case 6 -> new String[] {"ENXIO", "No such device or address"};
            case 7 -> new String[] {"E2BIG", "Argument list too long"};
            case 8 -> new String[] {"ENOEXEC", "Exec format error"};
            case 9 -> new String[] {"EBADF", "Bad file descriptor"};
            case 10 -> new String[] {"ECHILD", "No child processes"};
            case 11 -> new String[] {"EAGAIN", "Resource temporarily unavailable"};
            case 12 -> new String[] {"ENOMEM", "Cannot allocate memory"};
            case 13 -> new String[] {"EACCES", "Permission denied"};
            case 14 -> new String[] {"EFAULT", "Bad address"};
            case 15 -> new String[] {"ENOTBLK", "Block device required"};
            case 16 -> new String[] {"EBUSY", "Device or resource busy"};
            case 17 -> new String[] {"EEXIST", "File exists"};
            case 18 -> new String[] {"EXDEV", "Invalid cross-device link"};
            case 19 -> new String[] {"ENODEV", "No such device"};
            case 20 -> new String[] {"ENOTDIR", "Not a directory"};
            case 21 -> new String[] {"EISDIR", "Is a directory"};
            case 22 -> new String[] {"EINVAL", "Invalid argument"};
            case 23 -> new String[] {"ENFILE", "Too many open files in system"};
            case 24 -> new String[] {"EMFILE", "Too many open files"};
            case 25 -> new String[] {"ENOTTY", "Inappropriate ioctl for device"};
            case 26 -> new String[] {"ETXTBSY", "Text file busy"};
            case 27 -> new String[] {"EFBIG", "File too large"};
            case 28 -> new String[] {"ENOSPC", "No space left on device"};
            case 29 -> new String[] {"ESPIPE", "Illegal seek"};
            case 30 -> new String[] {"EROFS", "Read-only file system"};
            case 31 -> new String[] {"EMLINK", "Too many links"};
            case 32 -> new String[] {"EPIPE", "Broken pipe"};
            case 33 -> new String[] {"EDOM", "Numerical argument out of domain"};
            case 34 -> new String[] {"ERANGE", "Numerical result out of range"};
            case 35 -> new String[] {"EDEADLK", "Resource deadlock avoided"};
            case 36 -> new String[] {"ENAMETOOLONG", "File name too long"};
            case 37 -> new String[] {"ENOLCK", "No locks available"};
            case 38 -> new String[] {"ENOSYS", "Function not implemented"};
            case 39 -> new String[] {"ENOTEMPTY", "Directory not empty"};
            case 40 -> new String[] {"ELOOP", "Too many levels of symbolic links"};
            case 61 -> new String[] {"ENODATA", "No data available"};
            case 62 -> new String[] {"ETIME", "Timer expired"};
            case 75 -> new String[] {"EOVERFLOW", "Value too large for defined data type"};
            case 77 -> new String[] {"EBADFD", "File descriptor in bad state"};
            case 84 -> new String[] {"EILSEQ", "Invalid or incomplete multibyte or wide character"};
            case 88 -> new String[] {"ENOTSOCK", "Socket operation on non-socket"};
            case 95 -> new String[] {"EOPNOTSUPP", "Operation not supported"};
            case 110 -> new String[] {"ETIMEDOUT", "Connection timed out"};
            case 114 -> new String[] {"EALREADY", "Operation already in progress"};
            case 116 -> new String[] {"ESTALE", "Stale file handle"};
            case 121 -> new String[] {"EREMOTEIO", "Remote I/O error"};
            case 122 -> new String[] {"EDQUOT", "Disk quota exceeded"};
            case 123 -> new String[] {"ENOMEDIUM", "No medium found"};
            case 125 -> new String[] {"ECANCELED", "Operation canceled"};
            case 130 -> new String[] {"EOWNERDEAD", "Owner died"};
            default -> null;
        };
    }
}
