package io.fileflux.core.uring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.nio.charset.Charset;
import java.nio.file.Path;

/**
 * Every native function the io_uring engine calls, bound once through JNA direct mapping to the C
 * library: {@code syscall(2)} (for {@code io_uring_setup}, {@code io_uring_enter},
 * {@code io_uring_register}, which glibc does not wrap), {@code open}, {@code close}, {@code mmap},
 * {@code munmap}, {@code statx}, {@code fcntl}, {@code eventfd}, {@code write}, {@code mkfifo} and
 * {@code preadv2}, and for {@link KernelCopy} {@code copy_file_range} (through {@code syscall(2)}: glibc only wraps it since 2.27),
 * {@code lseek}, {@code ftruncate}, {@code fsync} and {@code fdatasync}. Pointers are passed as {@code long} addresses.
 * Everything else in the package is plain Java.
 *
 * <p>Errors: each function declares {@link LastErrorException}; JNA throws it with {@code errno}
 * when the call fails. Threading: the functions are thread-safe as the C library's are.
 */
final class LinuxNative {

    static {
        Native.register(LinuxNative.class, cLibrary());
    }

    /**
     * The C library. glibc's is opened by its soname: JNA's search for the name "c" finds the linker
     * script {@code libc.so} first, fails to load it and then runs {@code ldconfig -p} in a subprocess,
     * which cost a tenth of a second of every CLI start. Other C libraries (musl) by JNA's search.
     */
    private static NativeLibrary cLibrary() {
        try {
            return NativeLibrary.getInstance("libc.so.6");
        } catch (UnsatisfiedLinkError notGlibc) {
            return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
        }
    }

    // syscall numbers: io_uring's are the same in every 64-bit Linux ABI (asm-generic/unistd.h)
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;
    /** {@code copy_file_range}: 326 on x86-64, 285 in the generic table (aarch64, riscv64, ...). */
    static final long SYS_COPY_FILE_RANGE;

    // lseek(2) whence (include/uapi/linux/fs.h)
    static final int SEEK_SET = 0;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    // open(2) flags (asm-generic/fcntl.h; arm, aarch64 and powerpc move the four marked ones)
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;
    static final int O_DSYNC = 010000;
    static final int O_SYNC = 04010000;
    static final int O_CLOEXEC = 02000000;
    static final int O_NONBLOCK = 04000;

    /** {@code preadv2(2)} flag: read only what the page cache holds, fail with EAGAIN rather than wait. */
    static final int RWF_NOWAIT = 0x8;
    /** Size of {@code struct iovec} (base, length) on 64-bit Linux. */
    static final int IOVEC_SIZE = 16;

    // fcntl(2)
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;

    // poll(2) events
    static final int POLLIN = 0x001;
    static final int O_DIRECT;
    static final int O_NOFOLLOW;

    // eventfd(2)
    static final int EFD_CLOEXEC = 02000000;

    // mmap(2)
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_POPULATE = 0x8000;

    // statx(2)
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFIFO = 0010000;

    /** Size of {@code struct statx}, and the offsets read from it (include/uapi/linux/stat.h). */
    static final int STATX_SIZE = 256;
    static final int STX_MODE = 28;        // __u16
    static final int STX_INO = 32;         // __u64
    static final int STX_SIZE = 40;        // __u64
    static final int STX_DEV_MAJOR = 136;  // __u32
    static final int STX_DEV_MINOR = 140;  // __u32

    static {
        String arch = System.getProperty("os.arch", "");
        boolean armLike = arch.equals("aarch64") || arch.startsWith("arm") || arch.startsWith("ppc");
        O_DIRECT = armLike ? 0200000 : 040000;
        O_NOFOLLOW = armLike ? 0100000 : 0400000;
        SYS_COPY_FILE_RANGE = arch.equals("amd64") || arch.equals("x86_64") ? 326 : 285;
    }

    private LinuxNative() {
    }

    static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6)
            throws LastErrorException;

    static native int open(byte[] path, int flags, int mode) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    /** {@code fcntl(fd, cmd, arg)} for the int-argument commands ({@code F_GETFL}, {@code F_SETFL}). */
    static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    static native long mmap(long addr, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    static native int munmap(long addr, long length) throws LastErrorException;

    static native int statx(int dirfd, byte[] path, int flags, int mask, long statxbuf) throws LastErrorException;

    static native int mkfifo(byte[] path, int mode) throws LastErrorException;

    static native int eventfd(int initval, int flags) throws LastErrorException;

    static native long write(int fd, long buf, long count) throws LastErrorException;

    /** {@code preadv2(fd, iov, iovcnt, offset, flags)}: bytes read (0 at end of file). */
    static native long preadv2(int fd, long iov, int iovcnt, long offset, int flags) throws LastErrorException;

    static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    static native int ftruncate(int fd, long length) throws LastErrorException;

    static native int fsync(int fd) throws LastErrorException;

    static native int fdatasync(int fd) throws LastErrorException;

    /**
     * {@code copy_file_range(fdIn, offIn, fdOut, offOut, len, 0)}: bytes copied (0 at the source's end).
     * {@code offIn} and {@code offOut} are addresses of {@code loff_t}s the kernel advances.
     */
    static long copyFileRange(int fdIn, long offIn, int fdOut, long offOut, long len) {
        return syscall(SYS_COPY_FILE_RANGE, fdIn, offIn, fdOut, offOut, len, 0);
    }

    /** {@code io_uring_setup(entries, params)}: the ring's fd. */
    static int ioUringSetup(int entries, long params) {
        return (int) syscall(SYS_IO_URING_SETUP, entries, params, 0, 0, 0, 0);
    }

    /** {@code io_uring_enter(fd, toSubmit, minComplete, flags, NULL, 0)}: SQEs consumed. */
    static int ioUringEnter(int fd, int toSubmit, int minComplete, int flags) {
        return (int) syscall(SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, 0, 0);
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}. */
    static int ioUringRegister(int fd, int opcode, long arg, int nrArgs) {
        return (int) syscall(SYS_IO_URING_REGISTER, fd, opcode, arg, nrArgs, 0, 0);
    }

    /** A path as the NUL-terminated bytes the kernel expects, in the JVM's file-name encoding. */
    static byte[] cPath(Path path) {
        String enc = System.getProperty("sun.jnu.encoding");
        Charset cs = enc != null && Charset.isSupported(enc) ? Charset.forName(enc) : Charset.defaultCharset();
        byte[] b = path.toString().getBytes(cs);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /** glibc's {@code makedev}: the {@code st_dev} value {@code stat(2)} would report. */
    static long makedev(int major, int minor) {
        long ma = major & 0xffffffffL;
        long mi = minor & 0xffffffffL;
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }
}
