package io.fileflux.core.nio;

import io.fileflux.core.EngineStats;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.OpenSpec;
import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable engine on {@link AsynchronousFileChannel}: every device's channel shares one pool of
 * daemon threads ({@code fileflux-nio-N}) that run the blocking reads and the completion callbacks.
 * Cancellation is best effort: the operation is detached and reported cancelled when the channel
 * completes it; its buffer stays untouched by Fileflux until then.
 *
 * <p>Threading: thread-safe. Ownership: see {@link FileEngine}.
 */
public final class NioEngine implements FileEngine {

    static final String NAME = "nio";
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();

    private final ExecutorService pool;
    private final EngineStats stats = new EngineStats();
    private final int threads;

    NioEngine(int threads) {
        this.threads = threads;
        int engineId = ENGINE_IDS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "fileflux-nio-" + engineId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(threads, factory);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        Objects.requireNonNull(path, "path");
        OpenSpec spec = OpenSpec.of(options);
        if (pool.isShutdown()) {
            throw new IllegalStateException("engine closed"); // before anything is created or truncated
        }
        Set<OpenOption> nio = new HashSet<>();
        if (spec.read()) {
            nio.add(StandardOpenOption.READ);
        }
        if (spec.write()) {
            nio.add(StandardOpenOption.WRITE);
        }
        if (spec.create()) {
            nio.add(StandardOpenOption.CREATE);
        }
        if (spec.createNew()) {
            nio.add(StandardOpenOption.CREATE_NEW);
        }
        if (spec.truncate()) {
            nio.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        if (spec.sync()) {
            nio.add(StandardOpenOption.SYNC);
        }
        if (spec.dsync()) {
            nio.add(StandardOpenOption.DSYNC);
        }
        if (spec.noFollow()) {
            nio.add(LinkOption.NOFOLLOW_LINKS);
        }
        if (spec.direct()) {
            nio.add(com.sun.nio.file.ExtendedOpenOption.DIRECT);
        }
        if (isFifo(path, spec.noFollow())) {
            return openFifo(path, spec, nio);
        }
        for (int attempt = 1; ; attempt++) {
            FileIdentity before = spec.create() || spec.createNew() ? null : identityOrNull(path);
            AsynchronousFileChannel channel = AsynchronousFileChannel.open(path, nio, pool, attributes);
            try {
                FileIdentity identity = identityOf(path);
                if (before != null && !before.equals(identity) && attempt < MAX_OPEN_ATTEMPTS) {
                    // the path was renamed or replaced between the look and the open (log rotation):
                    // we cannot tell which file the channel holds, so open again
                    channel.close();
                    continue;
                }
                return new NioDevice(this, path, identity, spec.write(), channel);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    private static final int MAX_OPEN_ATTEMPTS = 5;

    /**
     * A FIFO through a blocking {@link FileChannel} ({@link NioStreamDevice}). As with {@code cat},
     * opening one for reading waits until a writer opened it (java.nio cannot open without waiting);
     * the io_uring engine opens without waiting.
     */
    private FileDevice openFifo(Path path, OpenSpec spec, Set<OpenOption> nio) throws IOException {
        if (spec.direct()) {
            throw new FileSystemException(path.toString(), null, "direct I/O is not possible on a FIFO");
        }
        nio.remove(StandardOpenOption.TRUNCATE_EXISTING);
        nio.remove(StandardOpenOption.SYNC);
        nio.remove(StandardOpenOption.DSYNC);
        FileChannel channel = FileChannel.open(path, nio);
        try {
            return new NioStreamDevice(this, path, identityOf(path), spec.write(), channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static boolean isFifo(Path path, boolean noFollow) {
        try {
            LinkOption[] links = noFollow ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
            Object mode = Files.getAttribute(path, "unix:mode", links);
            return mode instanceof Integer && ((Integer) mode & S_IFMT) == S_IFIFO;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // missing (open reports it) or not a Unix file system
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private static FileIdentity identityOrNull(Path path) {
        try {
            return identityOf(path);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The identity of the file at {@code path}. java.nio offers no {@code fstat} on a channel, so
     * {@link #open} reads it by path before and after opening and opens again if the two differ (the
     * path was rotated in between); a file replaced and put back between the two looks is the one
     * case this engine cannot see.
     */
    private static FileIdentity identityOf(Path path) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (attrs.isDirectory()) {
            throw new FileSystemException(path.toString(), null, "Is a directory");
        }
        try {
            Map<String, Object> unix = Files.readAttributes(path, "unix:dev,ino");
            return new FileIdentity(((Number) unix.get("dev")).longValue(), ((Number) unix.get("ino")).longValue());
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            Object key = attrs.fileKey();
            long index = key != null ? key.hashCode() : path.toRealPath().hashCode();
            return new FileIdentity(0, index & 0xffffffffL);
        }
    }

    ExecutorService pool() {
        return pool;
    }

    @Override
    public EngineStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return NAME + " (AsynchronousFileChannel, " + threads + " pool threads)";
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
