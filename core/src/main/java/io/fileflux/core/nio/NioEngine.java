package io.fileflux.core.nio;

import io.fileflux.core.AbstractFileDevice;
import io.fileflux.core.EngineStats;
import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.LocalPaths;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable engine on {@link AsynchronousFileChannel}: every file's channel shares one fixed pool
 * of daemon threads ({@code fileflux-nio-N-M}) that run the blocking reads and the completion
 * callbacks. Cancellation is best effort: the operation is detached and reported cancelled when the
 * channel completes it; its buffer stays untouched by Fileflux until then.
 *
 * <p>Pipes and FIFOs ({@link NioStreamDevice}) run their blocking transfers on a second pool
 * ({@code fileflux-nio-N-stream-M}), unbounded, one thread per stream device with transfers queued,
 * idle threads ending after {@value #STREAM_IDLE_SECONDS} s: a pipe read that waits for a writer can
 * never take a thread the file reads need.
 *
 * <p>Close: refuses new devices, closes every device (a pipe's channel at once, which wakes a read
 * waiting on it), and shuts both pools down once their work is done. An operation that finishes
 * after the close began ends with {@link io.fileflux.core.EngineClosedException}.
 *
 * <p>Threading: thread-safe. Ownership: see {@link FileEngine}.
 */
public final class NioEngine implements FileEngine {

    static final String NAME = "nio";
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();

    /** How long a stream thread with nothing to do waits for more before it ends. */
    static final int STREAM_IDLE_SECONDS = 10;

    private final ExecutorService pool;
    private final ThreadPoolExecutor streams;
    private final Set<AbstractFileDevice> devices = ConcurrentHashMap.newKeySet();
    private final EngineStats stats = new EngineStats();
    private final int threads;
    private final String threadPrefix;
    private volatile boolean closed;

    NioEngine(int threads) {
        this.threads = threads;
        this.threadPrefix = "fileflux-nio-" + ENGINE_IDS.incrementAndGet() + "-";
        this.pool = Executors.newFixedThreadPool(threads, daemons(threadPrefix));
        this.streams = new ThreadPoolExecutor(0, Integer.MAX_VALUE, STREAM_IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemons(threadPrefix + "stream-"));
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        LocalPaths.require(path);
        OpenSpec spec = OpenSpec.of(options);
        if (closed) {
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
                return track(new NioDevice(this, path, identity, spec.write(), channel));
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
            return track(new NioStreamDevice(this, path, identityOf(path), spec.write(), channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Registers a device for {@link #close()}; a device that lost a race with close is closed and refused. */
    private FileDevice track(AbstractFileDevice device) {
        devices.add(device);
        if (closed) { // close() may have missed it: the device owns the channel now
            device.closeForEngine();
            throw new IllegalStateException("engine closed");
        }
        return device;
    }

    void deviceClosed(AbstractFileDevice device) {
        devices.remove(device);
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

    /** The pool of stream devices' blocking transfers: unbounded, it never refuses a task. */
    ThreadPoolExecutor streamThreads() {
        return streams;
    }

    /** What the names of this engine's threads start with (tests). */
    String threadPrefix() {
        return threadPrefix;
    }

    /** True once {@link #close()} began. */
    boolean isClosed() {
        return closed;
    }

    @Override
    public EngineStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return NAME + " (AsynchronousFileChannel, " + threads + " pool threads; pipes on threads of their own)";
    }

    @Override
    public void close() {
        Engines.checkCloseable(this);
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true; // first: whatever finishes from now on ends as EngineClosedException
        }
        for (AbstractFileDevice device : devices) {
            device.closeForEngine();
            if (device instanceof NioStreamDevice) {
                ((NioStreamDevice) device).closeChannel(); // wakes a read waiting on a silent pipe
            }
        }
        pool.shutdown(); // reads already queued still run, then the threads end
        // idle stream threads end now, busy ones as soon as their device's queue is empty; a transfer
        // accepted while this close ran still gets a thread
        streams.setKeepAliveTime(1, TimeUnit.NANOSECONDS);
    }
}
