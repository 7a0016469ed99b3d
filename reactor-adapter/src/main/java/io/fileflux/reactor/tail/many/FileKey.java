package io.fileflux.reactor.tail.many;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a file set tells its files apart by: the device and inode number a {@code stat} of the path
 * reads ({@code unix:dev}, {@code unix:ino}), so that a file keeps its key whatever it is renamed to.
 * The inode number is what is compared with {@link io.fileflux.core.FileIdentity#index()} of the file
 * a tail opens. Where the file system has no inode numbers (not Unix), the key is the path instead,
 * and a renamed file is a new file there. Immutable.
 *
 * @param dev  the device, or 0 without inode numbers
 * @param ino  the inode number, or -1 without inode numbers
 * @param path the path, without inode numbers only; else null
 */
record FileKey(long dev, long ino, @Nullable Path path) {

    static FileKey of(long dev, long ino) {
        return new FileKey(dev, ino, null);
    }

    /** The key of the file at {@code p} now (links followed), or null if there is none or no inode number. */
    static @Nullable FileKey of(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
            return of(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static FileKey ofPath(Path path) {
        return new FileKey(0, -1, path);
    }

    /** True if the key is an inode number (false: a path). */
    boolean byInode() {
        return ino >= 0;
    }

    @Override
    public String toString() {
        return byInode() ? Long.toUnsignedString(dev, 16) + ":" + Long.toUnsignedString(ino) : String.valueOf(path);
    }
}
