package io.fileflux.reactor.tail;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The files a rotation scheme leaves beside a followed path: regular files in the same directory whose
 * name starts with the path's file name ({@code app.log.1}, {@code app.log-20240501}), not the path
 * itself and not compressed ones ({@code .gz}, {@code .xz}, ...: their bytes are not the log's).
 *
 * <p>Used by the start-up (a checkpoint's file rotated away while the tail was stopped) and by the path
 * probe (generations that came and went at the path between two looks). {@link #unseen} orders what
 * the tail has not read by when each generation was last written: one writer writes one generation
 * after the other, so the modification times follow the order the generations sat at the path,
 * whatever the naming scheme ({@code .1} newest with logrotate's renumbering, {@code .N} newest with
 * increasing suffixes, dates). Equal times (file-system timestamps are coarse, a few milliseconds) fall
 * back to the change time (the rename away from the path), then to the inode number.
 *
 * <p>Stateless; every method may block briefly (a directory listing, a {@code stat} per file).
 */
final class RotatedSiblings {

    private static final String[] COMPRESSED = {".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4", ".lzma", ".z", ".br"};

    /** A file beside the path as one {@code stat} saw it. */
    record Sibling(Path path, long inode, long modifiedNanos, long changedNanos) {
    }

    /** The oldest generation first: last written first, then renamed first, then the lower inode. */
    static final Comparator<Sibling> OLDEST_FIRST = Comparator.comparingLong(Sibling::modifiedNanos)
            .thenComparingLong(Sibling::changedNanos)
            .thenComparingLong(Sibling::inode);

    private RotatedSiblings() {
    }

    /** The paths beside {@code path} (see the class comment), in directory order. */
    static List<Path> paths(Path path) throws IOException {
        String name = path.getFileName().toString();
        Path dir = path.toAbsolutePath().getParent();
        Path self = path.toAbsolutePath();
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(name) && !p.toAbsolutePath().equals(self)
                        && !compressed(p) && Files.isRegularFile(p))) {
            ds.forEach(out::add);
        }
        return out;
    }

    /**
     * The files beside {@code path} with their inode and times; files that vanish meanwhile, and every
     * file where the file system has no inode numbers, are left out.
     */
    static List<Sibling> stat(Path path) throws IOException {
        List<Sibling> out = new ArrayList<>();
        for (Path p : paths(path)) {
            try {
                Map<String, Object> a = Files.readAttributes(p, "unix:ino,lastModifiedTime,ctime");
                if (a.get("ino") instanceof Number ino && a.get("lastModifiedTime") instanceof FileTime m
                        && a.get("ctime") instanceof FileTime c) {
                    out.add(new Sibling(p, ino.longValue(), m.to(TimeUnit.NANOSECONDS), c.to(TimeUnit.NANOSECONDS)));
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                // gone, or not a unix file system: nothing to recover by inode
            }
        }
        return out;
    }

    /**
     * Those of {@code siblings} whose inode is not in {@code known}, the oldest generation first; when
     * {@code newest} is given (the file found at the path, itself rotated beside it since), only those
     * older than it.
     */
    static List<Sibling> unseen(List<Sibling> siblings, Set<Long> known, Sibling newest) {
        List<Sibling> out = new ArrayList<>();
        for (Sibling s : siblings) {
            if (!known.contains(s.inode()) && (newest == null || OLDEST_FIRST.compare(s, newest) < 0)) {
                out.add(s);
            }
        }
        out.sort(OLDEST_FIRST);
        return out;
    }

    /** Whether the name ends like a compressed file's. */
    static boolean compressed(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String ext : COMPRESSED) {
            if (n.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }
}
