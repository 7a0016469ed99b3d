package io.fileflux.reactor.tail.many;

import io.fileflux.reactor.tail.Checkpoint;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a followed file has been read to its end, as far as the rescan can tell from outside its tail:
 * by the size of the file at the path, or — once the path is gone — by the size of the file still open
 * in this process (Linux: through {@code /proc/self/fd}, which reaches deleted and renamed files).
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
        return last.offset() >= size && inode(path) == last.identity().index();
    }

    /**
     * True unless the checkpoint's file is still open in this process and larger than the checkpoint's
     * offset (more to read). Without {@code /proc} nothing can be told and the answer is true.
     */
    static boolean readToEndOfOpenFile(Checkpoint last) {
        if (last == null || !Files.isDirectory(FDS)) {
            return true;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
            for (Path fd : fds) {
                try {
                    if (Files.isRegularFile(fd) && inode(fd) == last.identity().index()
                            && Files.size(fd) > last.offset()) {
                        return false;
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return true;
        }
        return true;
    }

    private static long inode(Path p) {
        try {
            Object ino = Files.getAttribute(p, "unix:ino");
            return ino instanceof Long l ? l : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
