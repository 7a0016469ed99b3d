package io.fileflux.core.uring;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.fileflux.core.FileIdentity;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What {@code statx(fd, "", AT_EMPTY_PATH)} — an {@code fstat} with an architecture-independent
 * layout — tells about an open file: its type, identity ({@code st_dev}, {@code st_ino}) and size.
 * Immutable.
 *
 * @param type     the {@code S_IFMT} bits of the mode
 * @param identity {@code makedev(stx_dev_major, stx_dev_minor)} and {@code stx_ino}: the values
 *                 {@code stat(2)} reports as {@code st_dev} and {@code st_ino}
 * @param size     the size in bytes
 */
record Stat(int type, FileIdentity identity, long size) {

    private static final byte[] EMPTY = {0};

    static Stat of(int fd, Path path) throws IOException {
        Memory buf = Scratch.get();
        try {
            LinuxNative.statx(fd, EMPTY, LinuxNative.AT_EMPTY_PATH, LinuxNative.STATX_BASIC_STATS,
                    Pointer.nativeValue(buf) + Scratch.STATX);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            throw new io.fileflux.core.FileIoException("fstat", path, -1, errno, Errno.name(errno),
                    Errno.describe(errno));
        }
        int mode = buf.getShort(Scratch.STATX + LinuxNative.STX_MODE) & 0xffff;
        long dev = LinuxNative.makedev(buf.getInt(Scratch.STATX + LinuxNative.STX_DEV_MAJOR),
                buf.getInt(Scratch.STATX + LinuxNative.STX_DEV_MINOR));
        return new Stat(mode & LinuxNative.S_IFMT, new FileIdentity(dev, buf.getLong(Scratch.STATX + LinuxNative.STX_INO)),
                buf.getLong(Scratch.STATX + LinuxNative.STX_SIZE));
    }
}
