package io.fileflux.reactor.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replacing a small file so that a crash at any point leaves the old or the new content, never a torn
 * one: write a temporary file beside it, force it to disk, rename it over the target, force the
 * directory (so the rename itself survives a power loss where the file system allows it).
 *
 * <p>Threading: stateless; callers serialize writes to the same target.
 */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code temp}, forces it, then {@link #replace renames} it over {@code target}. */
    static void write(Path temp, Path target, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        replace(temp, target);
    }

    /** Renames the (already forced) {@code temp} over {@code target} atomically, then forces the directory. */
    static void replace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(target.getParent());
    }

    private static void forceDirectory(Path dir) {
        if (dir == null || System.getProperty("os.name", "").startsWith("Windows")) {
            return; // a directory cannot be opened for force there; NTFS journals the rename
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse fsync on a directory: the rename is then as durable as they make it
        }
    }
}
