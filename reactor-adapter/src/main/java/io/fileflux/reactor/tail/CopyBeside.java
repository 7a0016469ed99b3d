package io.fileflux.reactor.tail;

import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.reactor.internal.FilesBeside;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the copy a {@code copytruncate} rotation made of a file just before truncating it, so that a tail
 * that had not read the file to its end can read the rest from the copy: logrotate copies
 * {@code app.log} to {@code app.log.1} (or {@code app.log-DATE}), then truncates {@code app.log}; what the
 * writer wrote after the copy and before the truncation is in neither file, but what the tail was behind by
 * at the copy is in the copy. A candidate is a regular file beside the path whose name starts with the
 * path's name, not compressed, modified in the last {@value #RECENT_SECONDS} seconds, at least as large as
 * the offset read, whose bytes just before that offset are the last bytes the tail read there (up to
 * {@link Generation#OVERLAP}). The newest matching one is taken.
 *
 * <p>Threading: stateless; blocks (a directory listing, opens, and a read of a few bytes per candidate,
 * from the page cache where the engine can). Called by a tail's drain when it sees a truncation, which is
 * rare.
 */
final class CopyBeside {

    private static final Logger LOG = LoggerFactory.getLogger(CopyBeside.class);
    /** How recent a copy must be: logrotate made it just before the truncation the tail has just seen. */
    static final int RECENT_SECONDS = 60;
    /** Candidates opened at most (the newest first). */
    private static final int MAX_CANDIDATES = 4;

    private CopyBeside() {
    }

    /**
     * The copy of {@code live} beside {@code path}, opened, positioned for a read at {@code position} (its
     * last bytes and first bytes known as {@code live}'s), or null if there is none.
     */
    static Generation find(Path path, FileEngine engine, Generation live, long position) {
        byte[] last = live.lastBytes();
        if (last.length == 0 || path.getParent() == null) {
            return null;
        }
        for (Path p : candidates(path, position)) {
            FileDevice d;
            try {
                d = engine.open(p);
            } catch (IOException | RuntimeException e) {
                continue; // gone meanwhile (rotated on, compressed) or unreadable
            }
            try {
                if (!d.identity().equals(live.identity) && d.size() >= position
                        && Arrays.equals(last, bytesAt(d, position - last.length, last.length))) {
                    Generation copy = new Generation(d, System.nanoTime(), -1);
                    copy.copyOf(live);
                    LOG.debug("{}: truncated at {}; reading the rest from the copy {}", path, position, p);
                    return copy;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("{}: checking {} as the copy failed", path, p, e);
            }
            d.closeAsync();
        }
        return null;
    }

    /** Files beside {@code path} that may be its copy, newest first (at most {@value #MAX_CANDIDATES}). */
    private static List<Path> candidates(Path path, long position) {
        String prefix = path.getFileName().toString();
        FileTime recent = FileTime.from(Instant.now().minus(Duration.ofSeconds(RECENT_SECONDS)));
        List<Map.Entry<Path, FileTime>> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path.getParent(),
                p -> p.getFileName().toString().startsWith(prefix) && !p.equals(path) && !FilesBeside.compressed(p))) {
            for (Path p : ds) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue;
                }
                if (a.isRegularFile() && a.size() >= position && a.lastModifiedTime().compareTo(recent) >= 0) {
                    found.add(Map.entry(p, a.lastModifiedTime()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return found.stream().sorted(Map.Entry.<Path, FileTime>comparingByValue().reversed())
                .limit(MAX_CANDIDATES).map(Map.Entry::getKey).toList();
    }

    /**
     * {@code n} bytes of {@code d} at {@code at} (fewer at its end): from the page cache, else with the
     * start-up's reads ({@link DeviceReads}), waited for.
     */
    private static byte[] bytesAt(FileDevice d, long at, int n) throws IOException {
        ByteBuffer cached = ByteBuffer.allocate(n);
        if (d.readCached(cached, at) >= 0) {
            return Arrays.copyOf(cached.array(), cached.position());
        }
        ByteBuffer b;
        try {
            b = DeviceReads.read(d, at, n).toFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("reading " + d.path() + " at " + at + " failed", e);
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
