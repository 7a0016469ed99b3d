package io.fileflux.core.uring;

import static io.fileflux.core.uring.IoUringAbi.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One io_uring instance: its fd and its mapped submission ring, completion ring and SQE array.
 *
 * <p>Memory ordering: ring indexes shared with the kernel are accessed only through a
 * {@link VarHandle} over a {@code ByteBuffer} view of the mapping — the kernel's indexes (SQ head,
 * CQ tail, SQ flags) with acquire loads, ours (SQ tail, CQ head) with release stores, the SQ tail
 * only after the whole 64-byte SQE is written and the CQ head only after the CQEs were read.
 *
 * <p>Threading: not thread-safe. The SQ side ({@link #sqSpace}, {@link #putSqe}, {@link #publish})
 * is used by one drainer at a time, the CQ side ({@link #cqReady}, {@link #cqUserData},
 * {@link #cqRes}, {@link #cqAdvance}) by the completion thread only; {@link #enter} may be called
 * concurrently, as the kernel allows.
 *
 * <p>Ownership: the ring owns its mappings and fd until {@link #close()}.
 */
final class Ring {

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** An io_uring_setup or mmap failure with its errno. */
    static final class SetupException extends Exception {
        final int errno;

        SetupException(String what, int errno) {
            super(what + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
            this.errno = errno;
        }
    }

    final int fd;
    final int features;
    final int sqEntries;
    final int cqEntries;
    private final long sqRingAddr;
    private final long sqRingLen;
    private final long cqRingAddr;
    private final long cqRingLen;
    private final long sqesAddr;
    private final long sqesLen;
    private final ByteBuffer sqRing;
    private final ByteBuffer cqRing;
    private final ByteBuffer sqes;
    private final int sqHead;
    private final int sqTail;
    private final int sqFlags;
    private final int sqMask;
    private final int cqHead;
    private final int cqTail;
    private final int cqMask;
    private final int cqes;
    /** Our copy of the SQ tail: entries written, published or not. Drainer only. */
    private int localSqTail;
    /** Our copy of the CQ head. Completion thread only. */
    private int localCqHead;
    private boolean closed;

    private Ring(int fd, Memory p) throws SetupException {
        this.fd = fd;
        this.features = p.getInt(P_FEATURES);
        this.sqEntries = p.getInt(P_SQ_ENTRIES);
        this.cqEntries = p.getInt(P_CQ_ENTRIES);
        long sqLen = p.getInt(P_SQ_OFF + SQ_OFF_ARRAY) + 4L * sqEntries;
        long cqLen = p.getInt(P_CQ_OFF + CQ_OFF_CQES) + (long) CQE_SIZE * cqEntries;
        boolean single = (features & IORING_FEAT_SINGLE_MMAP) != 0;
        long sqAddr = 0;
        long cqAddr = 0;
        long sqeAddr = 0;
        try {
            if (single) {
                sqLen = cqLen = Math.max(sqLen, cqLen);
            }
            sqAddr = map(sqLen, fd, IORING_OFF_SQ_RING, "mmap(IORING_OFF_SQ_RING)");
            cqAddr = single ? sqAddr : map(cqLen, fd, IORING_OFF_CQ_RING, "mmap(IORING_OFF_CQ_RING)");
            sqeAddr = map((long) SQE_SIZE * sqEntries, fd, IORING_OFF_SQES, "mmap(IORING_OFF_SQES)");
        } catch (SetupException e) {
            unmap(sqeAddr, (long) SQE_SIZE * sqEntries);
            if (!single) {
                unmap(cqAddr, cqLen);
            }
            unmap(sqAddr, sqLen);
            throw e;
        }
        this.sqRingAddr = sqAddr;
        this.sqRingLen = sqLen;
        this.cqRingAddr = single ? 0 : cqAddr;
        this.cqRingLen = cqLen;
        this.sqesAddr = sqeAddr;
        this.sqesLen = (long) SQE_SIZE * sqEntries;
        this.sqRing = view(sqAddr, sqLen);
        this.cqRing = single ? sqRing : view(cqAddr, cqLen);
        this.sqes = view(sqeAddr, sqesLen);
        this.sqHead = p.getInt(P_SQ_OFF + SQ_OFF_HEAD);
        this.sqTail = p.getInt(P_SQ_OFF + SQ_OFF_TAIL);
        this.sqFlags = p.getInt(P_SQ_OFF + SQ_OFF_FLAGS);
        this.sqMask = sqRing.getInt(p.getInt(P_SQ_OFF + SQ_OFF_RING_MASK));
        this.cqHead = p.getInt(P_CQ_OFF + CQ_OFF_HEAD);
        this.cqTail = p.getInt(P_CQ_OFF + CQ_OFF_TAIL);
        this.cqMask = cqRing.getInt(p.getInt(P_CQ_OFF + CQ_OFF_RING_MASK));
        this.cqes = p.getInt(P_CQ_OFF + CQ_OFF_CQES);
        // the SQ index array maps ring slot i to SQE i, once and for all
        int array = p.getInt(P_SQ_OFF + SQ_OFF_ARRAY);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.putInt(array + 4 * i, i);
        }
        this.localSqTail = (int) INT.getAcquire(sqRing, sqTail);
        this.localCqHead = (int) INT.getAcquire(cqRing, cqHead);
    }

    /**
     * Creates a ring of at least {@code entries} SQEs and {@code cqEntries} CQEs (clamped by the
     * kernel to its limits).
     */
    static Ring create(int entries, int cqEntries) throws SetupException {
        return create(entries, cqEntries, 0);
    }

    /** As {@link #create(int, int)}, with extra {@code IORING_SETUP_*} flags. */
    static Ring create(int entries, int cqEntries, int setupFlags) throws SetupException {
        Memory p = new Memory(PARAMS_SIZE);
        p.clear();
        p.setInt(P_FLAGS, IORING_SETUP_CLAMP | (cqEntries > 0 ? IORING_SETUP_CQSIZE : 0) | setupFlags);
        p.setInt(P_CQ_ENTRIES, cqEntries);
        int fd;
        try {
            fd = LinuxNative.ioUringSetup(entries, Pointer.nativeValue(p));
        } catch (LastErrorException e) {
            throw new SetupException("io_uring_setup", e.getErrorCode());
        }
        try {
            return new Ring(fd, p);
        } catch (SetupException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    // ---------------------------------------------------------------------------- submission side

    /** Free SQ slots. */
    int sqSpace() {
        int head = (int) INT.getAcquire(sqRing, sqHead);
        return sqEntries - (localSqTail - head);
    }

    /** SQEs written (published or not) that the kernel has not consumed yet. */
    int sqPending() {
        return localSqTail - (int) INT.getAcquire(sqRing, sqHead);
    }

    /**
     * Writes the whole SQE in the next free slot; not visible to the kernel before {@link #publish()}.
     * The caller checked {@link #sqSpace()}.
     */
    void putSqe(byte opcode, byte flags, int fd, long off, long addr, int len, int opFlags, long userData) {
        putSqe(opcode, flags, fd, off, addr, len, opFlags, userData, 0);
    }

    /** As {@link #putSqe(byte, byte, int, long, long, int, int, long)}, with {@code sqe->buf_index}. */
    void putSqe(byte opcode, byte flags, int fd, long off, long addr, int len, int opFlags, long userData,
                int bufIndex) {
        int base = (localSqTail & sqMask) * SQE_SIZE;
        ByteBuffer b = sqes;
        b.put(base + SQE_OPCODE, opcode);
        b.put(base + SQE_FLAGS, flags);
        b.putShort(base + SQE_IOPRIO, (short) 0);
        b.putInt(base + SQE_FD, fd);
        b.putLong(base + SQE_OFF, off);
        b.putLong(base + SQE_ADDR, addr);
        b.putInt(base + SQE_LEN, len);
        b.putInt(base + SQE_OP_FLAGS, opFlags);
        b.putLong(base + SQE_USER_DATA, userData);
        b.putShort(base + SQE_BUF_INDEX, (short) bufIndex); // then personality (u16) and splice_fd_in (s32): 0
        b.putShort(base + SQE_BUF_INDEX + 2, (short) 0);
        b.putInt(base + SQE_BUF_INDEX + 4, 0);
        b.putLong(base + SQE_ADDR3, 0L);
        b.putLong(base + SQE_PAD, 0L);
        localSqTail++;
    }

    /** Makes every written SQE visible to the kernel (release store of the SQ tail). */
    void publish() {
        INT.setRelease(sqRing, sqTail, localSqTail);
    }

    /** True if the kernel has completions it could not fit in the CQ ring (IORING_SQ_CQ_OVERFLOW). */
    boolean cqOverflowed() {
        return ((int) INT.getAcquire(sqRing, sqFlags) & IORING_SQ_CQ_OVERFLOW) != 0;
    }

    /**
     * {@code io_uring_enter}: returns the number of SQEs consumed, or {@code -errno}.
     */
    int enter(int toSubmit, int minComplete, int flags) {
        try {
            return LinuxNative.ioUringEnter(fd, toSubmit, minComplete, flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    // ---------------------------------------------------------------------------- completion side

    /** CQEs ready to be read (acquire load of the CQ tail). */
    int cqReady() {
        return (int) INT.getAcquire(cqRing, cqTail) - localCqHead;
    }

    /** The user_data of the {@code i}-th ready CQE. */
    long cqUserData(int i) {
        return cqRing.getLong(cqes + ((localCqHead + i) & cqMask) * CQE_SIZE + CQE_USER_DATA);
    }

    /** The res of the {@code i}-th ready CQE. */
    int cqRes(int i) {
        return cqRing.getInt(cqes + ((localCqHead + i) & cqMask) * CQE_SIZE + CQE_RES);
    }

    /** Hands {@code n} read CQEs back to the kernel (release store of the CQ head). */
    void cqAdvance(int n) {
        localCqHead += n;
        INT.setRelease(cqRing, cqHead, localCqHead);
    }

    // ---------------------------------------------------------------------------- life cycle

    /**
     * Probes which opcodes the kernel supports ({@code IORING_REGISTER_PROBE}, Linux 5.6).
     *
     * @return the names of the required opcodes that are missing, empty if none
     */
    String missingOpcodes() throws SetupException {
        int nOps = 256;
        Memory probe = new Memory(PROBE_HEADER_SIZE + (long) PROBE_OP_SIZE * nOps);
        probe.clear();
        try {
            LinuxNative.ioUringRegister(fd, IORING_REGISTER_PROBE, Pointer.nativeValue(probe), nOps);
        } catch (LastErrorException e) {
            throw new SetupException("io_uring_register(IORING_REGISTER_PROBE)", e.getErrorCode());
        }
        int opsLen = probe.getByte(1) & 0xff;
        StringBuilder missing = new StringBuilder();
        byte[] required = {IORING_OP_NOP, IORING_OP_FSYNC, IORING_OP_ASYNC_CANCEL, IORING_OP_READ, IORING_OP_WRITE};
        String[] names = {"NOP", "FSYNC", "ASYNC_CANCEL", "READ", "WRITE"};
        for (int i = 0; i < required.length; i++) {
            int op = required[i];
            boolean ok = op < opsLen
                    && (probe.getShort(PROBE_HEADER_SIZE + (long) PROBE_OP_SIZE * op + PROBE_OP_FLAGS)
                        & IO_URING_OP_SUPPORTED) != 0;
            if (!ok) {
                missing.append(missing.length() > 0 ? ", " : "").append("IORING_OP_").append(names[i]);
            }
        }
        return missing.toString();
    }

    /**
     * Enables a ring created with {@code IORING_SETUP_R_DISABLED}; with {@code IORING_SETUP_SINGLE_ISSUER}
     * the calling thread becomes the only one allowed to submit.
     *
     * @throws SetupException if the kernel refuses
     */
    void enable() throws SetupException {
        try {
            LinuxNative.ioUringRegister(fd, IORING_REGISTER_ENABLE_RINGS, 0, 0);
        } catch (LastErrorException e) {
            throw new SetupException("io_uring_register(IORING_REGISTER_ENABLE_RINGS)", e.getErrorCode());
        }
    }

    /**
     * Caps the io-wq workers of this ring ({@code IORING_REGISTER_IOWQ_MAX_WORKERS}, Linux 5.15): regular
     * file I/O punted with {@code IOSQE_ASYNC} is "bounded" work.
     *
     * @return false if the kernel does not support the cap
     */
    boolean maxWorkers(int bounded, int unbounded) {
        try (Memory arg = new Memory(8)) {
            arg.setInt(0, bounded);
            arg.setInt(4, unbounded);
            LinuxNative.ioUringRegister(fd, IORING_REGISTER_IOWQ_MAX_WORKERS, Pointer.nativeValue(arg), 2);
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /**
     * Registers an empty table of {@code nr} slots ({@code IORING_REGISTER_FILES2} or
     * {@code IORING_REGISTER_BUFFERS2} with {@code IORING_RSRC_REGISTER_SPARSE}, Linux 5.13), filled later
     * slot by slot with {@link #updateBuffer} or {@link #updateFile}.
     *
     * @return 0, or the errno of the refusal
     */
    int registerSparse(int opcode, int nr) {
        try (Memory arg = new Memory(RSRC_REGISTER_SIZE)) {
            arg.clear();
            arg.setInt(RSRC_REGISTER_NR, nr);
            arg.setInt(RSRC_REGISTER_FLAGS, IORING_RSRC_REGISTER_SPARSE);
            LinuxNative.ioUringRegister(fd, opcode, Pointer.nativeValue(arg), RSRC_REGISTER_SIZE);
            return 0;
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
    }

    /**
     * Puts {@code [addr, addr + len)} in slot {@code slot} of the registered buffer table
     * ({@code IORING_REGISTER_BUFFERS_UPDATE}): the kernel pins its pages once, here.
     *
     * @return 0, or the errno of the refusal ({@code ENOMEM} past {@code RLIMIT_MEMLOCK}, for one)
     */
    int updateBuffer(int slot, long addr, long len) {
        try (Memory iov = new Memory(IOVEC_SIZE); Memory arg = new Memory(RSRC_UPDATE_SIZE)) {
            iov.setLong(0, addr);
            iov.setLong(8, len);
            return update(IORING_REGISTER_BUFFERS_UPDATE, arg, slot, Pointer.nativeValue(iov));
        }
    }

    /**
     * Puts file descriptor {@code fileFd} in slot {@code slot} of the registered file table
     * ({@code IORING_REGISTER_FILES_UPDATE2}); {@code -1} empties the slot. The table holds its own
     * reference to the file, so closing {@code fileFd} afterwards does not empty it.
     *
     * @return 0, or the errno of the refusal
     */
    int updateFile(int slot, int fileFd) {
        try (Memory fds = new Memory(4); Memory arg = new Memory(RSRC_UPDATE_SIZE)) {
            fds.setInt(0, fileFd);
            return update(IORING_REGISTER_FILES_UPDATE2, arg, slot, Pointer.nativeValue(fds));
        }
    }

    private int update(int opcode, Memory arg, int slot, long data) {
        arg.clear();
        arg.setInt(RSRC_UPDATE_OFFSET, slot);
        arg.setLong(RSRC_UPDATE_DATA, data);
        arg.setInt(RSRC_UPDATE_NR, 1);
        try {
            int r = LinuxNative.ioUringRegister(fd, opcode, Pointer.nativeValue(arg), RSRC_UPDATE_SIZE);
            return r == 1 ? 0 : Errno.EINVAL; // the number of slots updated
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
    }

    /** Unmaps the rings and closes the fd; the kernel cancels whatever is still in flight. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmap(sqesAddr, sqesLen);
        if (cqRingAddr != 0) {
            unmap(cqRingAddr, cqRingLen);
        }
        unmap(sqRingAddr, sqRingLen);
        closeQuietly(fd);
    }

    private static long map(long len, int fd, long offset, String what) throws SetupException {
        try {
            return LinuxNative.mmap(0, len, LinuxNative.PROT_READ | LinuxNative.PROT_WRITE,
                    LinuxNative.MAP_SHARED | LinuxNative.MAP_POPULATE, fd, offset);
        } catch (LastErrorException e) {
            throw new SetupException(what, e.getErrorCode());
        }
    }

    private static void unmap(long addr, long len) {
        if (addr != 0) {
            try {
                LinuxNative.munmap(addr, len);
            } catch (LastErrorException ignored) {
                // nothing useful to do: the mapping goes away with the process
            }
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LinuxNative.close(fd);
        } catch (LastErrorException ignored) {
            // EINTR/EIO on close of a ring fd: the fd is released anyway
        }
    }

    private static ByteBuffer view(long addr, long len) {
        return new Pointer(addr).getByteBuffer(0, len).order(ByteOrder.nativeOrder());
    }
}
