package io.fileflux.reactor.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Not API: finds a file by its inode number at a path or beside it, where log rotation puts it: a
 * regular file in the same directory whose name starts with the path's name ({@code app.log.1},
 * {@code app.log-20240501}), not a compressed one. The inode number is compared with
 * {@link io.fileflux.core.FileIdentity#index()} ({@code unix:ino}); where the file system has none
 * (not Unix) nothing is found by inode and a path that exists counts as present.
 *
 * <p>Threading: stateless; blocks on {@code stat} and directory listings.
 */
public final class FilesBeside {

    private static final String[] COMPRESSED = {".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4", ".lzma", ".z", ".br"};

    private FilesBeside() {
    }

    /** The inode number of the file at {@code p} (links followed), -1 if there is none, -2 if unknown here. */
    public static long inode(Path p) {
        try {
            Object ino = Files.getAttribute(p, "unix:ino");
            return ino instanceof Number n ? n.longValue() : -2;
        } catch (NoSuchFileException e) {
            return -1;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return -2;
        } catch (IOException e) {
            return -1;
        }
    }

    /** True if the file with inode number {@code inode} is at {@code path} or beside it. */
    public static boolean present(Path path, long inode) {
        long at = inode(path);
        if (at == -2) {
            return Files.exists(path);
        }
        return at == inode || find(path, inode) != null;
    }

    /**
     * Where the file with inode number {@code inode} is beside {@code path} (not at it), or null if it is
     * not there (or the directory cannot be listed).
     */
    public static Path find(Path path, long inode) {
        Path dir = path.getParent();
        Path name = path.getFileName();
        if (dir == null || name == null) {
            return null;
        }
        String prefix = name.toString();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix) && !p.equals(path) && !compressed(p))) {
            for (Path p : ds) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && inode(p) == inode) {
                    return p;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** True if {@code p}'s name says it is compressed ({@code .gz}, {@code .zst}, ...): not readable as the log. */
    public static boolean compressed(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String ext : COMPRESSED) {
            if (n.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }
}
