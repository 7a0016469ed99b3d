package io.fileflux.reactor;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.uring.KernelCopy;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A file-to-file copy: in the kernel ({@link FileKernelCopy}) on the io_uring engine when the write
 * options allow it, otherwise (or when the kernel refuses) the read publisher into the write publisher,
 * sharing a buffer pool.
 */
final class FileWriteCopy {

    private static final Logger LOG = LoggerFactory.getLogger(FileWriteCopy.class);

    /** Bytes per read and per write of a copy. */
    static final int COPY_CHUNK = 1 << 20;

    /**
     * A temporary file of an atomic copy older than this (last modified), and open in no process this user
     * can see, is the leftover of a killed copy: the next atomic copy to the same target deletes it.
     */
    static final Duration STALE_TEMP_AGE = Duration.ofMinutes(10);

    private FileWriteCopy() {
    }

    static Mono<Long> copy(Path source, Path target, WriteOptions options) {
        return copy(source, target, options, FileKernelCopy.SLICE);
    }

    /** As {@link FileFlux#copy}, with the kernel copy's slice size given (tests use small ones). */
    static Mono<Long> copy(Path source, Path target, WriteOptions options, long slice) {
        return Mono.defer(() -> {
            Path dst;
            try {
                checkSource(source, target);
                // atomic: replace the file a symbolic link names, not the link (as a plain copy writes through it)
                dst = options.atomic() ? throughLinks(target) : target;
                if (options.atomic()) {
                    removeStaleTemporaryFiles(dst);
                }
            } catch (IOException e) {
                return Mono.error(e);
            }
            if (kernelCopyApplies(options)) {
                return new FileKernelCopy(source, dst, options, slice, () -> publisherCopy(source, dst, options));
            }
            return publisherCopy(source, dst, options);
        });
    }

    /**
     * The kernel copies when nothing but the whole file's bytes are asked for: Linux, the io_uring engine
     * (chosen or selected; nio and IOCP keep the publishers), a new or truncated target.
     */
    static boolean kernelCopyApplies(WriteOptions options) {
        if (!KernelCopy.supported()) {
            return false;
        }
        if (options.mode() != WriteOptions.Mode.TRUNCATE && options.mode() != WriteOptions.Mode.CREATE_NEW) {
            return false;
        }
        String engine = options.engine() != null ? options.engine().name() : Engines.select().name();
        return "io_uring".equals(engine);
    }

    /**
     * The read publisher into the write publisher. The target is opened (created, truncated) only once the
     * source has given its first signal: a FIFO with no writer leaves the target untouched, as GNU cp does.
     */
    private static Mono<Long> publisherCopy(Path source, Path target, WriteOptions options) {
        int depth = options.maxInFlight();
        // reads and writes in flight, what sits between them and the first chunk switchOnFirst holds
        BufferPool pool = new BufferPool(COPY_CHUNK, 2 * depth + 3);
        ReadOptions read = ReadOptions.defaults().maxInFlight(depth).pooled(pool);
        if (options.engine() != null) {
            read = read.engine(options.engine());
        }
        WriteOptions write = options.pooled(pool);
        return FileFlux.read(source, read)
                .switchOnFirst((first, rest) -> first.isOnError()
                        ? Mono.<Long>error(first.getThrowable())
                        : FileFlux.write(rest, target, write))
                .single();
    }

    /**
     * Fails before the target is opened (and maybe truncated) when the source cannot be copied: missing,
     * unreadable, a directory, or the target itself.
     */
    private static void checkSource(Path source, Path target) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(source, BasicFileAttributes.class);
        if (attrs.isDirectory()) {
            throw new FileSystemException(source.toString(), null, "Is a directory");
        }
        if (!Files.isReadable(source)) {
            throw new AccessDeniedException(source.toString());
        }
        if (Files.exists(target) && Files.isSameFile(source, target)) { // a dangling link is no same file
            throw new FileSystemException(source.toString(), target.toString(), "source and target are the same file");
        }
    }

    /**
     * The path a chain of symbolic links at {@code target} ends at (itself when it is no link), as
     * {@code open(2)} would follow it; a dangling link gives the missing file it names.
     */
    static Path throughLinks(Path target) throws IOException {
        Path p = target.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) {
                throw new FileSystemException(target.toString(), null, "Too many levels of symbolic links");
            }
            p = p.resolveSibling(Files.readSymbolicLink(p));
        }
        return p;
    }

    /**
     * Deletes the temporary files a killed atomic copy to {@code target} left beside it: only names of
     * exactly the write publisher's pattern for this target, last modified more than
     * {@link #STALE_TEMP_AGE} ago, and (where {@code /proc} tells) open in no process. A running copy
     * writes its temporary file continuously and keeps it open, so it is never taken for a leftover.
     */
    static void removeStaleTemporaryFiles(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null) {
            return;
        }
        Pattern name = FileWriteMono.tempNamePattern(target);
        Instant before = Instant.now().minus(STALE_TEMP_AGE);
        List<Path> stale;
        try (Stream<Path> s = Files.list(dir)) {
            stale = s.filter(p -> name.matcher(p.getFileName().toString()).matches())
                    .filter(p -> olderThan(p, before))
                    .collect(Collectors.toList());
        } catch (IOException | RuntimeException e) {
            return; // an unreadable directory: the copy itself will say what is wrong
        }
        if (stale.isEmpty()) {
            return;
        }
        List<Path> open = openFiles();
        for (Path p : stale) {
            if (open.contains(p.toAbsolutePath())) {
                continue;
            }
            try {
                if (Files.deleteIfExists(p)) {
                    LOG.info("deleted {}, left by an atomic copy that did not finish", p);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("could not delete the stale temporary file {}", p, e);
            }
        }
    }

    private static boolean olderThan(Path p, Instant instant) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.lastModifiedTime().compareTo(FileTime.from(instant)) < 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Files open in the processes whose {@code /proc/PID/fd} this user can read (empty where there is no /proc). */
    private static List<Path> openFiles() {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return List.of();
        }
        try (Stream<Path> pids = Files.list(proc)) {
            return pids.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .flatMap(FileWriteCopy::fdTargets)
                    .collect(Collectors.toList());
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static Stream<Path> fdTargets(Path pid) {
        try (Stream<Path> fds = Files.list(pid.resolve("fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd);
                } catch (IOException | RuntimeException e) {
                    return null;
                }
            }).filter(t -> t != null).collect(Collectors.toList()).stream();
        } catch (IOException | RuntimeException e) {
            return Stream.empty();
        }
    }
}
