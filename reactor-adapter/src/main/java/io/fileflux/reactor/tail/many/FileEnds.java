package io.fileflux.reactor.tail.many;

import io.fileflux.reactor.internal.FilesBeside;
import io.fileflux.reactor.tail.Checkpoint;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a followed file has been read to its end, as far as the rescan can tell from outside its reader:
 * by the size of the file at the path, or — once it left the matched set — by the size of the file still
 * open in this process (Linux: through {@code /proc/self/fd}, which reaches deleted and renamed files).
 *
 * <p>Threading: stateless; blocks on {@code stat} calls (the rescan worker).
 */
final class FileEnds {

    private static final Path FDS = Path.of("/proc/self/fd");

    private FileEnds() {
    }

    /** True if the file at {@code path} is the checkpoint's file and no larger than the checkpoint's offset. */
    static boolean readToEnd(Checkpoint last, long size, Path path) {
        if (last == null) {
            return size == 0;
        }
        return last.offset() >= size && FilesBeside.inode(path) == last.identity().index();
    }

    /** {@link #sizeOfOpenFile}: no file of that inode number is open in this process. */
    static final long NOT_OPEN = -1;
    /** {@link #sizeOfOpenFile}: cannot be told here (no {@code /proc}, or no inode number). */
    static final long UNKNOWN = -2;

    /**
     * The size of the file with inode number {@code ino} open in this process (the largest, if several
     * are), {@link #NOT_OPEN} if none is, {@link #UNKNOWN} without {@code /proc} or for {@code ino} < 0.
     */
    static long sizeOfOpenFile(long ino) {
        if (ino < 0 || !Files.isDirectory(FDS)) {
            return UNKNOWN;
        }
        long size = NOT_OPEN;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path fd : fds) {
                try {
                    if (Files.isRegularFile(fd) && FilesBeside.inode(fd) == ino) {
                        size = Math.max(size, Files.size(fd));
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return UNKNOWN;
        }
        return size;
    }

    /**
     * Whether a file out of the set has been read to its end, as far as its open descriptor tells: from the
     * last line delivered, or, before any, from where its reader started (if known). A reader that has not
     * opened its file yet has not read it.
     */
    static boolean readToEndOfOpenFile(Followed f) {
        Checkpoint last = f.last;
        long ino = f.key.byInode() ? f.key.ino() : last != null ? last.identity().index() : -1;
        long size = sizeOfOpenFile(ino);
        if (size == UNKNOWN) {
            return true; // nothing to tell by: the quiet alone decides
        }
        if (size == NOT_OPEN) {
            return last != null;
        }
        long offset = last != null ? last.offset() : f.startOffset;
        return offset >= 0 && size <= offset;
    }

    /** True if the file at {@code p} is longer than the checkpoint's offset (as far as a {@code stat} tells). */
    static boolean longerThan(Path p, Checkpoint cp) {
        try {
            return Files.size(p) > cp.offset();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
