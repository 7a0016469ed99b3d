package io.fileflux.core.uring;

import static io.fileflux.core.uring.IoUringAbi.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.fileflux.core.EngineStats;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.OpenSpec;
import io.fileflux.core.completion.CompletionDriver;
import io.fileflux.core.completion.CompletionOp;
import io.fileflux.core.completion.OpKind;
import io.fileflux.core.completion.OpState;
import io.fileflux.core.completion.OpTable;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The io_uring engine: one ring per engine, one named daemon completion thread
 * ({@code fileflux-uring-N}) that reaps CQEs in batches and runs every callback, and a lock-free
 * submission path usable from any thread, including from inside a callback.
 *
 * <p>Submission: an op (or a cancel, or a wake-up NOP) is queued in an unbounded MPSC queue, then
 * whichever thread wins the {@code wip} counter drains the queue into the SQ and calls
 * {@code io_uring_enter} once for everything it wrote (ops that arrive together share one
 * syscall). When the SQ is full the drainer enters to make room and goes on; if the kernel refuses
 * SQEs for a while ({@code EBUSY}/{@code EAGAIN} while the CQ is overflowing) a drainer other than
 * the completion thread waits and retries, while the completion thread leaves the rest queued, reaps
 * (which is what frees the kernel) and drains again — it never waits on a submitter, so callbacks
 * that submit cannot deadlock. Nothing is dropped or failed because the SQ is full.
 *
 * <p>Where cached reads are copied: a buffered read of cached data completes inline, inside
 * {@code io_uring_enter}, on the thread that submits it — for the read publisher that is the
 * completion thread, so the copy would not overlap with consumption. Reads on regular files opened
 * without {@code O_DIRECT} are therefore flagged {@code IOSQE_ASYNC} (the kernel's io-wq workers
 * copy, in parallel with the consumer) when they are at least {@link #asyncThreshold()} bytes;
 * {@value #ASYNC_PROPERTY} ({@code always}, {@code never}, or a byte threshold) overrides this.
 *
 * <p>CQ overflow: the CQ is sized at {@value #CQ_PER_SQ}× the SQ; with {@code IORING_FEAT_NODROP}
 * the kernel keeps completions that do not fit, flags {@code IORING_SQ_CQ_OVERFLOW}, and the
 * completion thread flushes them with {@code io_uring_enter(GETEVENTS)} after draining the ring.
 *
 * <p>Ownership and shutdown: every op stays in the engine's {@link OpTable} (with its buffer) until
 * its CQE arrives. {@link #close()} refuses new ops, closes every device still open, cancels every
 * op in flight, waits for their CQEs, then the completion thread unmaps the ring and closes its fd.
 *
 * <p>Threading: thread-safe.
 */
public final class IoUringEngine implements FileEngine, CompletionDriver {

    /** The engine's name. */
    public static final String NAME = "io_uring";

    /** System property choosing IOSQE_ASYNC for buffered reads: {@code always}, {@code never}, or bytes. */
    public static final String ASYNC_PROPERTY = "fileflux.uring.async";

    /** System property capping the ring's io-wq workers for buffered file I/O (default: CPUs - 1, at least 1). */
    public static final String WORKERS_PROPERTY = "fileflux.uring.workers";

    /** Default SQ size. */
    public static final int DEFAULT_ENTRIES = 256;

    static final int CQ_PER_SQ = 4;

    private static final Logger LOG = LoggerFactory.getLogger(IoUringEngine.class);
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();

    /** user_data of the wake-up NOP. */
    static final long WAKEUP = 1L << 63;
    /** Tag of an ASYNC_CANCEL's own CQE: {@code CANCEL_TAG | token of the target}. */
    static final long CANCEL_TAG = 1L << 62;

    /** {@link #wip} value after shutdown: no drainer may ever run again. */
    private static final int WIP_TERMINATED = 1 << 30;
    private static final Object WAKEUP_REQUEST = new Object();

    private static final int DEFAULT_ASYNC_THRESHOLD = 0;

    private final Ring ring;
    private final OpTable table;
    private final EngineStats stats = new EngineStats();
    private final ConcurrentLinkedQueue<Object> pending = new ConcurrentLinkedQueue<>();
    private final Set<IoUringDevice> devices = ConcurrentHashMap.newKeySet();
    private final Thread reaper;
    private final int asyncThreshold;
    private final int workers;
    private final long[] batchUserData;
    private final int[] batchRes;
    private volatile int wip;
    private static final AtomicIntegerFieldUpdater<IoUringEngine> WIP =
            AtomicIntegerFieldUpdater.newUpdater(IoUringEngine.class, "wip");
    private volatile boolean closing;
    // diagnostics, written by one thread at a time (drainer, completion thread), read racily
    private long submitCalls;
    private long waitCalls;
    private long overflowFlushes;
    private long busyRetries;

    /**
     * Creates an engine with a ring of {@code entries} SQEs and starts its completion thread.
     *
     * @throws IllegalStateException if the kernel refuses the ring (see
     *                               {@link IoUringEngineProvider#probe()} for why)
     */
    public IoUringEngine(int entries) {
        this(entries, parseAsyncThreshold(System.getProperty(ASYNC_PROPERTY)),
                Integer.getInteger(WORKERS_PROPERTY, Math.max(1, Runtime.getRuntime().availableProcessors() - 1)));
    }

    /**
     * Creates an engine with explicit tuning (for benchmarks and tests).
     *
     * @param asyncThreshold buffered reads and writes of at least this many bytes on regular files are
     *                       flagged {@code IOSQE_ASYNC}; {@code Integer.MAX_VALUE} for never
     * @param workers        cap on the ring's bounded io-wq workers; 0 leaves the kernel's default
     */
    IoUringEngine(int entries, int asyncThreshold, int workers) {
        try {
            this.ring = Ring.create(entries, entries * CQ_PER_SQ);
        } catch (Ring.SetupException e) {
            throw new IllegalStateException("io_uring unavailable: " + e.getMessage(), e);
        }
        this.table = new OpTable(ring.sqEntries);
        this.workers = workers;
        if (workers > 0 && !ring.maxWorkers(workers, 0)) {
            LOG.debug("IORING_REGISTER_IOWQ_MAX_WORKERS not supported; io-wq sizes itself");
        }
        this.asyncThreshold = asyncThreshold;
        this.batchUserData = new long[ring.cqEntries];
        this.batchRes = new int[ring.cqEntries];
        this.reaper = new Thread(this::reap, "fileflux-uring-" + ENGINE_IDS.incrementAndGet());
        reaper.setDaemon(true);
        reaper.start();
    }

    static int parseAsyncThreshold(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_ASYNC_THRESHOLD;
        }
        String v = value.trim();
        if (v.equals("always")) {
            return 0;
        }
        if (v.equals("never")) {
            return Integer.MAX_VALUE;
        }
        try {
            return Math.max(0, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ASYNC_PROPERTY + " must be always, never or a byte count: " + value);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Buffered reads and writes of at least this many bytes on regular files are flagged IOSQE_ASYNC. */
    public int asyncThreshold() {
        return asyncThreshold;
    }

    /** The ring's SQ and CQ sizes. */
    public int sqEntries() {
        return ring.sqEntries;
    }

    /** The ring's feature flags. */
    public int features() {
        return ring.features;
    }

    // ================================================================================== open

    @Override
    public FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        Objects.requireNonNull(path, "path");
        OpenSpec spec = OpenSpec.of(options);
        int mode = createMode(attributes);
        byte[] cpath = LinuxNative.cPath(path);
        int flags = LinuxNative.O_CLOEXEC;
        if (spec.read() && spec.write()) {
            flags |= LinuxNative.O_RDWR;
        } else if (spec.write()) {
            flags |= LinuxNative.O_WRONLY;
        } else {
            flags |= LinuxNative.O_RDONLY;
            if (isFifo(cpath, spec.noFollow())) {
                // O_RDONLY would block in open() until a writer appears; with O_RDWR the device is
                // a writer itself, so reads stay pending until data arrives (and never see EOF)
                flags = LinuxNative.O_CLOEXEC | LinuxNative.O_RDWR;
            }
        }
        if (spec.createNew()) {
            flags |= LinuxNative.O_CREAT | LinuxNative.O_EXCL;
        } else if (spec.create()) {
            flags |= LinuxNative.O_CREAT;
        }
        if (spec.truncate()) {
            flags |= LinuxNative.O_TRUNC;
        }
        if (spec.sync()) {
            flags |= LinuxNative.O_SYNC;
        } else if (spec.dsync()) {
            flags |= LinuxNative.O_DSYNC;
        }
        if (spec.direct()) {
            flags |= LinuxNative.O_DIRECT;
        }
        if (spec.noFollow()) {
            flags |= LinuxNative.O_NOFOLLOW;
        }
        if (closing) {
            throw new IllegalStateException("engine closed");
        }
        int fd;
        try {
            fd = LinuxNative.open(cpath, flags, mode);
        } catch (LastErrorException e) {
            throw Errno.openException(e.getErrorCode(), path, spec.direct());
        }
        try {
            Stat st = Stat.of(fd, path);
            if (st.type() == LinuxNative.S_IFDIR) {
                throw new FileSystemException(path.toString(), null, "Is a directory");
            }
            boolean regular = st.type() == LinuxNative.S_IFREG;
            boolean stream = st.type() == LinuxNative.S_IFIFO;
            IoUringDevice device = new IoUringDevice(this, path, st.identity(), spec.write(), fd, spec.direct(),
                    stream, regular && !spec.direct());
            devices.add(device);
            if (closing) {
                device.closeAsync();
                throw new IllegalStateException("engine closed");
            }
            return device;
        } catch (IOException | RuntimeException | Error e) {
            closeFd(fd);
            throw e;
        }
    }

    private static boolean isFifo(byte[] cpath, boolean noFollow) {
        try (Memory buf = new Memory(LinuxNative.STATX_SIZE)) {
            LinuxNative.statx(LinuxNative.AT_FDCWD, cpath, noFollow ? LinuxNative.AT_SYMLINK_NOFOLLOW : 0,
                    LinuxNative.STATX_BASIC_STATS, Pointer.nativeValue(buf));
            return (buf.getShort(LinuxNative.STX_MODE) & LinuxNative.S_IFMT) == LinuxNative.S_IFIFO;
        } catch (LastErrorException e) {
            return false; // open() reports the error
        }
    }

    private static int createMode(FileAttribute<?>... attributes) {
        int mode = 0666;
        for (FileAttribute<?> a : attributes) {
            if (!a.name().equals("posix:permissions")) {
                throw new UnsupportedOperationException("'" + a.name() + "' not supported as initial attribute");
            }
            mode = 0;
            for (Object o : (Collection<?>) a.value()) {
                PosixFilePermission p = (PosixFilePermission) o;
                mode |= 0400 >> p.ordinal();
            }
        }
        return mode;
    }

    static void closeFd(int fd) {
        try {
            LinuxNative.close(fd);
        } catch (LastErrorException e) {
            LOG.debug("close({}) failed: {}", fd, Errno.name(e.getErrorCode()));
        }
    }

    void deviceClosed(IoUringDevice device) {
        devices.remove(device);
    }

    // ================================================================================== driver

    @Override
    public OpTable ops() {
        return table;
    }

    @Override
    public void submit(CompletionOp op) {
        if (wip >= WIP_TERMINATED) {
            throw new IllegalStateException("engine closed");
        }
        pending.offer(op);
        drain();
    }

    @Override
    public void cancel(CompletionOp op) {
        pending.offer(op.token() | CANCEL_TAG);
        drain();
    }

    /** Queues a NOP whose CQE wakes the completion thread. */
    void wakeup() {
        pending.offer(WAKEUP_REQUEST);
        drain();
    }

    /**
     * Moves queued requests into the SQ and enters the kernel, by one thread at a time (whoever
     * raises {@code wip} from 0); the others only queue.
     */
    private void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        boolean onReaper = Thread.currentThread() == reaper;
        int missed = 1;
        for (;;) {
            if (!fillAndSubmit(onReaper)) {
                // the completion thread leaves the rest queued: it drains again after reaping
                WIP.set(this, 0);
                return;
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** One pass over the queue; false if the completion thread must reap before going on. */
    private boolean fillAndSubmit(boolean onReaper) {
        for (;;) {
            Object next = pending.peek();
            if (next == null) {
                break;
            }
            if (ring.sqSpace() == 0 && !flush(onReaper)) {
                return false;
            }
            pending.poll();
            write(next);
        }
        return ring.sqPending() == 0 || flush(onReaper);
    }

    /**
     * Publishes the SQ tail and enters the kernel until it took every SQE written. Returns false only
     * on the completion thread when the kernel refuses SQEs (it must reap first); another thread
     * waits and retries.
     */
    private boolean flush(boolean onReaper) {
        ring.publish();
        for (;;) {
            int n = ring.sqPending();
            if (n == 0) {
                return true;
            }
            submitCalls++;
            int r = ring.enter(n, 0, 0);
            if (r >= 0 || r == -Errno.EINTR) {
                continue;
            }
            if (r == -Errno.EBUSY || r == -Errno.EAGAIN) {
                busyRetries++;
                if (onReaper) {
                    return false;
                }
                LockSupport.parkNanos(50_000);
                continue;
            }
            // EBADF, EFAULT, ...: the ring itself is broken; nothing sane can be done with the SQEs
            throw new IllegalStateException("io_uring_enter failed: " + Errno.name(-r) + " " + Errno.describe(-r));
        }
    }

    private void write(Object request) {
        if (request instanceof CompletionOp) {
            CompletionOp op = (CompletionOp) request;
            int fd = (int) op.handle();
            if (op.kind() == OpKind.SYNC) {
                ring.putSqe(IORING_OP_FSYNC, (byte) 0, fd, 0, 0, 0,
                        op.metadata() ? 0 : IORING_FSYNC_DATASYNC, op.token());
            } else {
                byte flags = (op.driverFlags() & IoUringDevice.BUFFERED_REGULAR) != 0 && op.length() >= asyncThreshold
                        ? IOSQE_ASYNC : 0;
                ring.putSqe(op.kind() == OpKind.READ ? IORING_OP_READ : IORING_OP_WRITE, flags, fd,
                        op.offset(), op.address(), op.length(), 0, op.token());
            }
        } else if (request instanceof Long) {
            long target = (Long) request & ~CANCEL_TAG;
            ring.putSqe(IORING_OP_ASYNC_CANCEL, (byte) 0, -1, 0, target, 0, 0, target | CANCEL_TAG);
        } else {
            ring.putSqe(IORING_OP_NOP, (byte) 0, -1, 0, 0, 0, 0, WAKEUP);
        }
    }

    // ================================================================================== completion thread

    private void reap() {
        try {
            for (;;) {
                if (reapBatch() > 0) {
                    continue;
                }
                if (!pending.isEmpty()) {
                    drain();
                }
                if (closing && table.size() == 0) {
                    break;
                }
                if (ring.cqReady() > 0) {
                    continue;
                }
                if (ring.cqOverflowed()) {
                    overflowFlushes++;
                    ring.enter(0, 0, IORING_ENTER_GETEVENTS); // moves overflowed CQEs into the ring
                    continue;
                }
                if (!pending.isEmpty()) {
                    LockSupport.parkNanos(50_000); // the kernel refused SQEs; retry shortly
                    continue;
                }
                waitCalls++;
                int r = ring.enter(0, 1, IORING_ENTER_GETEVENTS);
                if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY
                        && r != -Errno.ETIME) {
                    LOG.error("io_uring_enter(GETEVENTS) failed: {}; completion thread stops", Errno.name(-r));
                    break;
                }
            }
        } catch (Throwable t) {
            LOG.error("io_uring completion thread failed", t);
        } finally {
            shutdownRing();
        }
    }

    /** Reads every ready CQE, hands the slots back, then dispatches them; returns how many. */
    private int reapBatch() {
        int n = Math.min(ring.cqReady(), batchRes.length);
        if (n <= 0) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            batchUserData[i] = ring.cqUserData(i);
            batchRes[i] = ring.cqRes(i);
        }
        ring.cqAdvance(n);
        for (int i = 0; i < n; i++) {
            dispatch(batchUserData[i], batchRes[i]);
        }
        return n;
    }

    private void dispatch(long userData, int res) {
        if (userData == WAKEUP) {
            return;
        }
        if ((userData & CANCEL_TAG) != 0) {
            // 0: cancelled; -ENOENT / -EALREADY: the op completed or is completing anyway (a normal race)
            if (res < 0 && res != -Errno.ENOENT && res != -Errno.EALREADY) {
                LOG.debug("ASYNC_CANCEL of {} answered {}", Long.toHexString(userData & ~CANCEL_TAG),
                        Errno.name(-res));
            }
            return;
        }
        CompletionOp op = table.remove(userData);
        if (op == null) {
            LOG.warn("completion for unknown user_data {} (res {}) ignored", Long.toHexString(userData), res);
            return;
        }
        try {
            if (res >= 0) {
                op.complete(res);
            } else if (res == -Errno.ECANCELED
                    || (res == -Errno.EINTR && op.state() == OpState.CANCEL_REQUESTED)) {
                op.cancelled(-res, Errno.name(-res));
            } else {
                op.fail(-res, Errno.name(-res), Errno.describe(-res));
            }
        } catch (RuntimeException e) {
            LOG.error("dispatching {} failed", op, e);
        }
    }

    private void shutdownRing() {
        // no drainer may touch the SQ once it is unmapped
        while (!WIP.compareAndSet(this, 0, WIP_TERMINATED)) {
            Thread.onSpinWait();
        }
        ring.close();
        LOG.debug("io_uring ring closed: {}", counters());
    }

    // ================================================================================== status

    @Override
    public EngineStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return NAME + " (Linux " + System.getProperty("os.version") + ", sq " + ring.sqEntries + ", cq "
                + ring.cqEntries + ", features 0x" + Integer.toHexString(ring.features) + ", IOSQE_ASYNC "
                + (asyncThreshold == Integer.MAX_VALUE ? "never" : "for buffered I/O >= " + asyncThreshold + " B")
                + ")";
    }

    /** Syscall and back-pressure counters, for diagnostics (read without synchronization). */
    String counters() {
        return "submit enters " + submitCalls + ", wait enters " + waitCalls + ", CQ overflow flushes "
                + overflowFlushes + ", EBUSY/EAGAIN retries " + busyRetries;
    }

    /** True while the completion thread runs. */
    boolean isRunning() {
        return reaper.isAlive();
    }

    /** The completion thread (for tests). */
    Thread completionThread() {
        return reaper;
    }

    /**
     * Closes every device, cancels every op in flight and, unless called from a callback on the
     * completion thread, waits (up to 10 s) for their completions and the ring's release.
     */
    @Override
    public void close() {
        if (!closing) {
            synchronized (this) {
                if (!closing) {
                    closing = true;
                    for (IoUringDevice d : devices) {
                        d.closeAsync();
                    }
                    List<CompletionOp> live = table.close();
                    for (CompletionOp op : live) {
                        op.cancel();
                    }
                    if (wip < WIP_TERMINATED) {
                        wakeup();
                    }
                }
            }
        }
        if (Thread.currentThread() == reaper) {
            return; // the completion thread finishes the shutdown when the last op is reaped
        }
        try {
            reaper.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reaper.isAlive()) {
            LOG.warn("io_uring engine: {} ops still in flight 10 s after close", table.size());
        }
    }
}
