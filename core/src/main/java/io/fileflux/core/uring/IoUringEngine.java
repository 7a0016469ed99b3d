package io.fileflux.core.uring;

import static io.fileflux.core.uring.IoUringAbi.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.fileflux.core.EngineStats;
import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.LocalPaths;
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
 * The io_uring engine: one ring per engine and one named daemon completion thread
 * ({@code fileflux-uring-N}) that reaps CQEs in batches, runs every callback, and is the only thread
 * that touches the SQ or submits to the kernel.
 *
 * <p>Why one submitting thread: io_uring ties each request to the task that submitted it and cancels
 * it when that thread exits — a read submitted by a short-lived user thread would end
 * {@code -ECANCELED}. So {@code read/write/sync/cancel} from any thread only queue a request (an
 * unbounded MPSC queue: nothing is dropped or failed when the SQ is full) and, if the completion
 * thread sleeps, wake it by writing an eventfd on which it keeps an {@code IORING_OP_READ} pending.
 * Requests queued by callbacks (the read publisher submits its next read from inside one) are
 * written to the SQ after the batch of callbacks and submitted with one {@code io_uring_enter} —
 * combined with the wait for the next completions when there is nothing else to do. When the SQ is
 * full the completion thread enters to make room and goes on; if the kernel refuses SQEs for a
 * while ({@code EBUSY} while completions overflow) the rest stays queued until the next reap. No
 * thread ever waits for another, so callbacks that submit cannot deadlock.
 *
 * <p>Where cached reads are copied: a buffered read of cached data completes inline, inside
 * {@code io_uring_enter}, i.e. on the completion thread — serially with the consumer, but with the
 * data still in that core's cache when the consumer reads it. Reads and writes on regular files
 * opened without {@code O_DIRECT} are flagged {@code IOSQE_ASYNC} (the ring's io-wq worker copies
 * while the consumer consumes) when they are at least {@link #asyncThreshold()} bytes (default
 * 512 KiB: small chunks inline, large ones on the worker — see docs/benchmarks.md); {@value #ASYNC_PROPERTY} ({@code always},
 * {@code never}, or a byte threshold) overrides it, and {@value #WORKERS_PROPERTY} caps the io-wq
 * workers (default CPUs - 1, at least 1).
 *
 * <p>CQ overflow: the CQ is sized at {@value #CQ_PER_SQ}x the SQ; with {@code IORING_FEAT_NODROP}
 * the kernel keeps completions that do not fit and flags {@code IORING_SQ_CQ_OVERFLOW}; the
 * completion thread then flushes them with {@code io_uring_enter(GETEVENTS)}.
 *
 * <p>Ownership and shutdown: every op stays in the engine's {@link OpTable} (with its buffer) until
 * its CQE arrives. {@link #close()} refuses new ops, closes every device still open, cancels every
 * op in flight and waits for their CQEs; then the completion thread completes its own eventfd read,
 * unmaps the ring and closes the ring fd and the eventfd.
 *
 * <p>Size: longer than the project's usual class because the completion loop, its submission path and
 * its shutdown share state that must stay confined to one thread; the ring, the native calls, the
 * registered resources ({@link FixedResources}) and queued registrations ({@link RingTask}) live in
 * classes of their own.
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

    /**
     * System property: {@code true} creates the ring with {@code IORING_SETUP_SINGLE_ISSUER |
     * IORING_SETUP_DEFER_TASKRUN} where the kernel has them (6.1+), so completions are processed only when
     * the completion thread asks for them, with no interrupt of it in between; {@code false} does not.
     */
    public static final String DEFER_PROPERTY = "fileflux.uring.defer";

    /**
     * System property: {@code true} registers every device's file descriptor in the ring's file table
     * ({@code IORING_REGISTER_FILES2}, sparse) and submits its ops with {@code IOSQE_FIXED_FILE}; the
     * slot is emptied when the device closes. Default {@code false}.
     */
    public static final String FIXED_FILES_PROPERTY = "fileflux.uring.fixedFiles";

    /** Default SQ size. */
    public static final int DEFAULT_ENTRIES = 256;

    static final int CQ_PER_SQ = 4;

    private static final Logger LOG = LoggerFactory.getLogger(IoUringEngine.class);
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();

    /** user_data of the read kept pending on the wake-up eventfd. */
    static final long EVENTFD = 1L << 63;
    /** Tag of an ASYNC_CANCEL's own CQE: {@code CANCEL_TAG | token of the target}. */
    static final long CANCEL_TAG = 1L << 62;

    /** The 8-byte value 1 written to the eventfd to wake the completion thread. Never freed. */
    private static final Memory ONE = new Memory(8);

    static {
        ONE.setLong(0, 1L);
    }

    /**
     * Measured on warm files (docs/benchmarks.md): chunks up to 256 KiB read faster copied inline —
     * the consumer then folds them while they are still in this core's cache, and each io-wq hand-off
     * costs two wake-ups — while 1 MiB chunks gain from the copy running on a worker in parallel.
     */
    private static final int DEFAULT_ASYNC_THRESHOLD = 512 * 1024;

    private final Ring ring;
    /** Registered buffers and files; completion thread only. */
    private final FixedResources fixed;
    private final boolean fixedFiles;
    private final OpTable table;
    private final EngineStats stats = new EngineStats();
    private final ConcurrentLinkedQueue<Object> pending = new ConcurrentLinkedQueue<>();
    private final Set<IoUringDevice> devices = ConcurrentHashMap.newKeySet();
    private final Thread reaper;
    private final int asyncThreshold;
    private final int workers;
    /** The ring was made with SINGLE_ISSUER | DEFER_TASKRUN (enabled by the completion thread). */
    private final boolean deferTaskrun;
    /** Set by the completion thread once the ring is enabled and tuned: null, or why it could not be. */
    private final java.util.concurrent.CompletableFuture<Void> started = new java.util.concurrent.CompletableFuture<>();
    private final long[] batchUserData;
    private final int[] batchRes;
    private final int eventFd;
    /** Where the kernel writes the eventfd counter; lives as long as the engine. */
    private final Memory eventBuffer = new Memory(8);
    /** 1 while the completion thread is (about to be) blocked in io_uring_enter. */
    private volatile int sleeping;
    private static final AtomicIntegerFieldUpdater<IoUringEngine> SLEEPING =
            AtomicIntegerFieldUpdater.newUpdater(IoUringEngine.class, "sleeping");
    private volatile boolean closing;
    private volatile boolean terminated;
    /** Completion thread only. */
    private boolean eventReadPending;
    // diagnostics, written by the completion thread (wakeups: by anyone), read racily
    private long submitCalls;
    private long waitCalls;
    private long overflowFlushes;
    private long busyRetries;
    private long wakeups;
    private long fixedBufferOps;
    private long fixedFileOps;

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
        this(entries, asyncThreshold, workers, Boolean.parseBoolean(System.getProperty(DEFER_PROPERTY, "false")),
                Boolean.parseBoolean(System.getProperty(FIXED_FILES_PROPERTY, "false")));
    }

    IoUringEngine(int entries, int asyncThreshold, int workers, boolean deferTaskrun) {
        this(entries, asyncThreshold, workers, deferTaskrun,
                Boolean.parseBoolean(System.getProperty(FIXED_FILES_PROPERTY, "false")));
    }

    IoUringEngine(int entries, int asyncThreshold, int workers, boolean deferTaskrun, boolean fixedFiles) {
        Ring r = null;
        if (deferTaskrun) {
            try {
                // created disabled: the completion thread enables it and so becomes its single issuer
                r = Ring.create(entries, entries * CQ_PER_SQ,
                        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED);
            } catch (Ring.SetupException e) {
                LOG.debug("IORING_SETUP_DEFER_TASKRUN refused ({}); a plain ring", e.getMessage());
            }
        }
        this.deferTaskrun = r != null;
        try {
            this.ring = r != null ? r : Ring.create(entries, entries * CQ_PER_SQ);
        } catch (Ring.SetupException e) {
            throw new IllegalStateException("io_uring unavailable: " + e.getMessage(), e);
        }
        this.table = new OpTable(ring.sqEntries);
        this.fixed = new FixedResources(ring);
        this.fixedFiles = fixedFiles;
        this.workers = workers;
        this.asyncThreshold = asyncThreshold;
        try {
            this.eventFd = LinuxNative.eventfd(0, LinuxNative.EFD_CLOEXEC);
        } catch (LastErrorException e) {
            ring.close();
            throw new IllegalStateException("eventfd failed: " + Errno.name(e.getErrorCode()));
        }
        this.batchUserData = new long[ring.cqEntries];
        this.batchRes = new int[ring.cqEntries];
        this.reaper = new Thread(this::reap, "fileflux-uring-" + ENGINE_IDS.incrementAndGet());
        reaper.setDaemon(true);
        reaper.start();
        try {
            started.join(); // the completion thread enables the ring first thing: never long
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("io_uring unavailable: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Completion thread, first thing: enables a ring made disabled (this thread becomes its single
     * issuer) and caps its io-wq workers (registration from the issuer, as SINGLE_ISSUER wants).
     */
    private boolean startRing() {
        if (deferTaskrun) {
            try {
                ring.enable();
            } catch (Ring.SetupException e) {
                started.completeExceptionally(e);
                return false;
            }
        }
        if (workers > 0 && !ring.maxWorkers(workers, 0)) {
            LOG.debug("IORING_REGISTER_IOWQ_MAX_WORKERS not supported; io-wq sizes itself");
        }
        started.complete(null);
        return true;
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
        LocalPaths.require(path);
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
                flags |= LinuxNative.O_NONBLOCK; // O_RDONLY alone would block in open() until a writer appears
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
            if ((flags & LinuxNative.O_NONBLOCK) != 0) {
                // reads wait in the kernel (POLL_FIRST), never answer EAGAIN
                LinuxNative.fcntl(fd, LinuxNative.F_SETFL,
                        LinuxNative.fcntl(fd, LinuxNative.F_GETFL, 0) & ~LinuxNative.O_NONBLOCK);
            }
            Stat st = Stat.of(fd, path);
            if (st.type() == LinuxNative.S_IFDIR) {
                throw new FileSystemException(path.toString(), null, "Is a directory");
            }
            boolean regular = st.type() == LinuxNative.S_IFREG;
            boolean stream = st.type() == LinuxNative.S_IFIFO;
            int driverFlags = (regular && !spec.direct() ? IoUringDevice.BUFFERED_REGULAR : 0)
                    | (stream && (flags & LinuxNative.O_NONBLOCK) != 0 ? IoUringDevice.POLL_FIRST : 0);
            int fileSlot = fixedFiles ? onCompletionThread(() -> fixed.acquireFileSlot(fd), -1) : -1;
            IoUringDevice device;
            try {
                device = new IoUringDevice(this, path, st.identity(), spec.write(), fd, spec.direct(),
                        stream, driverFlags | IoUringDevice.fileSlotFlags(fileSlot), fileSlot);
            } catch (RuntimeException | Error e) {
                releaseFileSlot(fileSlot);
                throw e;
            }
            devices.add(device);
            if (closing) {
                device.closeAsync();
                throw new IllegalStateException("engine closed");
            }
            return device;
        } catch (LastErrorException e) {
            closeFd(fd);
            throw new FileSystemException(path.toString(), null, "fcntl failed: " + Errno.name(e.getErrorCode()));
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

    /**
     * Empties a device's slot of the registered file table once no op names it (its fd may be closed
     * already: the table holds its own reference). Queued for the completion thread, never waited for;
     * requests from one thread run in order, so a slot is free again only after it was emptied.
     */
    void releaseFileSlot(int slot) {
        if (slot < 0) {
            return;
        }
        if (Thread.currentThread() == reaper) {
            fixed.releaseFileSlot(slot);
        } else if (!terminated) {
            enqueue(new RingTask<>(() -> {
                fixed.releaseFileSlot(slot);
                return null;
            }));
        }
    }

    // ================================================================================== registered buffers

    /**
     * {@inheritDoc}
     *
     * <p>io_uring: the region goes into a slot of the ring's sparse buffer table
     * ({@code IORING_REGISTER_BUFFERS_UPDATE}, Linux 5.13; at most {@value FixedResources#MAX_BUFFERS}
     * regions of at most 1 GiB each). Its pages count against {@code RLIMIT_MEMLOCK} unless the process
     * has {@code CAP_IPC_LOCK}.
     */
    @Override
    public boolean registerBuffer(java.nio.ByteBuffer region) {
        Objects.requireNonNull(region, "region");
        if (!region.isDirect() || region.capacity() == 0) {
            throw new IllegalArgumentException("registerBuffer needs a direct buffer with capacity > 0: " + region);
        }
        if (region.capacity() > MAX_REGISTERED_BUFFER) {
            throw new IllegalArgumentException("a registered buffer holds at most 1 GiB, was " + region.capacity());
        }
        long address = CompletionOp.addressOf(region);
        return onCompletionThread(() -> fixed.registerBuffer(region, address, region.capacity()), false);
    }

    /** Ops submitted as READ_FIXED / WRITE_FIXED so far (for tests; read on the completion thread). */
    long fixedBufferOps() {
        return onCompletionThread(() -> fixedBufferOps, fixedBufferOps);
    }

    /** Ops submitted with IOSQE_FIXED_FILE so far (for tests; read on the completion thread). */
    long fixedFileOps() {
        return onCompletionThread(() -> fixedFileOps, fixedFileOps);
    }

    /** Registered file slots in use (for tests; read on the completion thread). */
    int fixedFiles() {
        return onCompletionThread(fixed::files, 0);
    }

    /**
     * Runs {@code action} on the completion thread (at once when called there) and returns its result,
     * or {@code ifStopped} if the completion thread has ended without running it. Waits (see
     * {@link RingTask#await}) for that thread to reach the request.
     */
    private <T> T onCompletionThread(java.util.function.Supplier<T> action, T ifStopped) {
        if (Thread.currentThread() == reaper) {
            return action.get();
        }
        if (terminated) {
            return ifStopped;
        }
        RingTask<T> task = new RingTask<>(action);
        enqueue(task);
        return task.await(reaper, () -> pending.remove(task), ifStopped);
    }

    // ================================================================================== driver

    @Override
    public OpTable ops() {
        return table;
    }

    @Override
    public void submit(CompletionOp op) {
        if (terminated) {
            throw new IllegalStateException("engine closed");
        }
        enqueue(op);
        if (closing && !op.cancelForClose()) {
            // close() may have queued its cancel before this op: queue one that follows it
            enqueue(op.token() | CANCEL_TAG);
        }
    }

    @Override
    public void cancel(CompletionOp op) {
        enqueue(op.token() | CANCEL_TAG);
    }

    /**
     * Queues a request for the completion thread. On that thread it is written to the SQ after the
     * current batch of callbacks; from any other thread the completion thread is woken through the
     * eventfd if it sleeps.
     */
    private void enqueue(Object request) {
        pending.offer(request);
        if (Thread.currentThread() != reaper && sleeping == 1 && SLEEPING.compareAndSet(this, 1, 0)) {
            wakeReaper();
        }
    }

    private void wakeReaper() {
        try {
            LinuxNative.write(eventFd, Pointer.nativeValue(ONE), 8);
            wakeups++;
        } catch (LastErrorException e) {
            // EAGAIN: the counter is saturated, so a wake-up is already due
        }
    }

    /**
     * Moves queued requests into the SQ (completion thread only). When the SQ is full it enters the
     * kernel to make room; if the kernel refuses SQEs ({@code EBUSY}/{@code EAGAIN} while completions
     * overflow) the rest stays queued until the next reap. Never waits.
     */
    private void fillSq() {
        for (;;) {
            Object next = pending.peek();
            if (next == null) {
                return;
            }
            if (ring.sqSpace() == 0 && !submitSq()) {
                return;
            }
            pending.poll();
            write(next);
        }
    }

    /** Enters the kernel with every SQE written; false if it refused them for now. */
    private boolean submitSq() {
        ring.publish();
        for (;;) {
            int n = ring.sqPending();
            if (n == 0) {
                return true;
            }
            submitCalls++;
            // DEFER_TASKRUN: completions are posted only when this thread asks (GETEVENTS), so ask here too
            int r = ring.enter(n, 0, deferTaskrun ? IORING_ENTER_GETEVENTS : 0);
            if (r >= 0 || r == -Errno.EINTR) {
                continue;
            }
            if (r == -Errno.EBUSY || r == -Errno.EAGAIN) {
                busyRetries++;
                return false;
            }
            throw new IllegalStateException("io_uring_enter failed: " + Errno.name(-r) + " " + Errno.describe(-r));
        }
    }

    private void write(Object request) {
        if (request instanceof CompletionOp) {
            CompletionOp op = (CompletionOp) request;
            // a registered file is named by its slot in the ring's file table, with IOSQE_FIXED_FILE
            int slot = IoUringDevice.fileSlot(op.driverFlags());
            int fd = slot >= 0 ? slot : (int) op.handle();
            byte fileFlag = slot >= 0 ? IOSQE_FIXED_FILE : 0;
            if (slot >= 0) {
                fixedFileOps++;
            }
            if (op.kind() == OpKind.SYNC) {
                ring.putSqe(IORING_OP_FSYNC, fileFlag, fd, 0, 0, 0,
                        op.metadata() ? 0 : IORING_FSYNC_DATASYNC, op.token());
            } else if (awaitsPoll(op)) {
                ring.putSqe(IORING_OP_POLL_ADD, fileFlag, fd, 0, 0, 0, LinuxNative.POLLIN, op.token());
            } else {
                byte flags = (byte) (fileFlag | ((op.driverFlags() & IoUringDevice.BUFFERED_REGULAR) != 0
                        && op.length() >= asyncThreshold ? IOSQE_ASYNC : 0));
                boolean read = op.kind() == OpKind.READ;
                int buf = fixed.bufferIndex(op.address(), op.length());
                if (buf >= 0) {
                    fixedBufferOps++;
                    ring.putSqe(read ? IORING_OP_READ_FIXED : IORING_OP_WRITE_FIXED, flags, fd,
                            op.offset(), op.address(), op.length(), 0, op.token(), buf);
                } else {
                    ring.putSqe(read ? IORING_OP_READ : IORING_OP_WRITE, flags, fd,
                            op.offset(), op.address(), op.length(), 0, op.token());
                }
            }
        } else if (request instanceof RingTask) {
            ((RingTask<?>) request).run();
        } else {
            long target = (Long) request & ~CANCEL_TAG;
            ring.putSqe(IORING_OP_ASYNC_CANCEL, (byte) 0, -1, 0, target, 0, 0, target | CANCEL_TAG);
        }
    }

    // ================================================================================== completion thread

    /**
     * The completion thread: the only thread that touches the SQ and the only one that submits to
     * the kernel. io_uring ties a request to the task that submitted it and cancels it when that
     * thread exits, so ops must not be submitted by short-lived user threads.
     */
    private void reap() {
        boolean selfWoken = false;
        try {
            if (!startRing()) {
                return;
            }
            submitEventRead();
            for (;;) {
                int n = reapBatch();
                fillSq();
                if (closing && table.size() == 0 && pending.isEmpty()) {
                    if (!eventReadPending) {
                        break;
                    }
                    if (!selfWoken) {
                        selfWoken = true;
                        wakeReaper(); // completes our own eventfd read, so its buffer is free to go
                    }
                }
                if (ring.cqReady() > 0) {
                    if (ring.sqPending() > 0) {
                        submitSq(); // everything the batch's callbacks submitted, in one syscall
                    }
                    continue; // more completions already posted: reap them before waiting
                }
                // nothing posted yet: what the batch's callbacks submitted goes in with the wait below, one
                // io_uring_enter per round instead of a submit and then a wait (QD1 O_DIRECT: one per read)
                if (ring.cqOverflowed()) {
                    overflowFlushes++;
                    ring.publish();
                    ring.enter(ring.sqPending(), 0, IORING_ENTER_GETEVENTS); // moves overflowed CQEs in
                    continue;
                }
                sleeping = 1;
                if (!pending.isEmpty()) { // a submitter that saw sleeping == 0 queued before we slept
                    sleeping = 0;
                    continue;
                }
                waitCalls++;
                ring.publish();
                int toSubmit = ring.sqPending();
                int r = ring.enter(toSubmit, 1, IORING_ENTER_GETEVENTS); // submit and wait in one call
                sleeping = 0;
                if (r == -Errno.EBUSY || r == -Errno.EAGAIN) {
                    busyRetries++;
                    if (ring.cqReady() == 0 && !ring.cqOverflowed()) {
                        LockSupport.parkNanos(50_000);
                    }
                } else if (r < 0 && r != -Errno.EINTR && r != -Errno.ETIME) {
                    LOG.error("io_uring_enter(GETEVENTS) failed: {}; completion thread stops", Errno.name(-r));
                    break;
                } else if (r > 0) {
                    submitCalls++;
                }
            }
        } catch (Throwable t) {
            LOG.error("io_uring completion thread failed", t);
        } finally {
            terminated = true;
            started.completeExceptionally(new IllegalStateException("the completion thread ended at start"));
            ring.close();
            fixed.close();
            closeFd(eventFd);
            for (Object request; (request = pending.poll()) != null; ) {
                if (request instanceof RingTask<?> task) {
                    task.abandon();
                }
            }
            LOG.debug("io_uring ring closed: {}", counters());
        }
    }

    /** Keeps a read pending on the eventfd: other threads wake the completion thread by writing it. */
    private void submitEventRead() {
        if (ring.sqSpace() == 0 && !submitSq()) {
            throw new IllegalStateException("no SQ space for the eventfd read");
        }
        ring.putSqe(IORING_OP_READ, (byte) 0, eventFd, -1, Pointer.nativeValue(eventBuffer), 8, 0, EVENTFD);
        eventReadPending = true;
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
        if (userData == EVENTFD) {
            eventReadPending = false;
            if (res < 0 && res != -Errno.ECANCELED) {
                LOG.warn("eventfd read failed: {}", Errno.name(-res));
            }
            if (!(closing && table.size() == 0)) {
                submitEventRead();
            }
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
        CompletionOp op = table.get(userData);
        if (op == null) {
            LOG.warn("completion for unknown user_data {} (res {}) ignored", Long.toHexString(userData), res);
            return;
        }
        boolean polled = awaitsPoll(op);
        if (polled && res >= 0 && op.state() == OpState.SUBMITTED) {
            // the FIFO is readable (data, or every writer gone): now the read, with the same token
            op.driverStage(READ_ISSUED);
            enqueue(op);
            if (op.cancelRequested()) {
                enqueue(op.token() | CANCEL_TAG); // the cancel may have been queued before the read
            }
            return;
        }
        table.remove(userData);
        try {
            if (polled && res >= 0) {
                op.cancelled(Errno.ECANCELED, "ECANCELED"); // cancelled as its poll fired: nothing read
            } else if (res >= 0) {
                op.complete(res);
            } else if (res == -Errno.ECANCELED
                    || (res == -Errno.EINTR && op.cancelRequested())) {
                op.cancelled(-res, Errno.name(-res));
            } else {
                op.fail(-res, Errno.name(-res), Errno.describe(-res));
            }
        } catch (RuntimeException e) {
            LOG.error("dispatching {} failed", op, e);
        }
    }

    /** {@link CompletionOp#driverStage()} of a POLL_FIRST read whose read request was issued. */
    private static final int READ_ISSUED = 1;

    /** True for a read on a FIFO that still waits for POLLIN (see {@link IoUringDevice#POLL_FIRST}). */
    private static boolean awaitsPoll(CompletionOp op) {
        return op.kind() == OpKind.READ && (op.driverFlags() & IoUringDevice.POLL_FIRST) != 0
                && op.driverStage() != READ_ISSUED;
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
                + (deferTaskrun ? ", SINGLE_ISSUER|DEFER_TASKRUN" : "") + (fixedFiles ? ", registered files" : "")
                + ")";
    }

    /** Syscall and back-pressure counters, for diagnostics (read without synchronization). */
    String counters() {
        return "submit enters " + submitCalls + ", wait enters " + waitCalls + ", CQ overflow flushes "
                + overflowFlushes + ", EBUSY/EAGAIN retries " + busyRetries + ", eventfd wake-ups " + wakeups
                + ", fixed-buffer ops " + fixedBufferOps + ", fixed-file ops " + fixedFileOps;
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
        Engines.checkCloseable(this);
        if (!closing) {
            synchronized (this) {
                if (!closing) {
                    closing = true;
                    for (IoUringDevice d : devices) {
                        d.closeForEngine();
                    }
                    List<CompletionOp> live = table.close();
                    for (CompletionOp op : live) {
                        op.cancelForClose();
                    }
                    if (!terminated) {
                        wakeReaper();
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
