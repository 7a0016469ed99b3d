package io.fileflux.core.uring;

import static io.fileflux.core.uring.IoUringAbi.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ring's registered resources: buffers lent by the caller for the engine's lifetime, which reads
 * and writes inside them use through {@code IORING_OP_READ_FIXED} / {@code IORING_OP_WRITE_FIXED} (the
 * kernel pinned their pages once, at registration, instead of at every op), and a table of files whose
 * ops name a slot with {@code IOSQE_FIXED_FILE} (no file look-up per op). Both tables are sparse
 * ({@code IORING_REGISTER_BUFFERS2} / {@code IORING_REGISTER_FILES2} with
 * {@code IORING_RSRC_REGISTER_SPARSE}, Linux 5.13), created on first use and filled slot by slot; a
 * kernel without them leaves every op on the plain path.
 *
 * <p>Buffers are never unregistered before the ring closes (the kernel releases both tables with it):
 * this object keeps each registered {@code ByteBuffer} strongly reachable until {@link #close()}, so
 * its memory cannot be freed while the kernel holds its pages. File slots are released when their
 * device closes and reused.
 *
 * <p>Threading: completion thread only — a {@code SINGLE_ISSUER} ring accepts {@code io_uring_register}
 * only from its issuer, and the look-up ({@link #bufferIndex}) runs where SQEs are written, after
 * every registration it may find.
 */
final class FixedResources {

    private static final Logger LOG = LoggerFactory.getLogger(FixedResources.class);

    /** Slots of the buffer table: registrations beyond it are refused (the buffer stays usable, unregistered). */
    static final int MAX_BUFFERS = 256;
    /** Slots of the file table: devices opened beyond it use their plain fd. */
    static final int MAX_FILES = 256;

    /**
     * For tests: behave as a kernel without sparse registered tables, so that registration is refused
     * ({@code EINVAL}) and every op takes the plain path. Read when a table is first needed.
     */
    static volatile boolean simulateUnsupported;

    private final Ring ring;
    /** 0: not tried yet; 1: registered; negative: -errno of the refusal. */
    private int bufferTable;
    private int fileTable;
    /** Registered regions sorted by start address: [starts[i], ends[i]) is buffer table slot slots[i]. */
    private long[] starts = new long[0];
    private long[] ends = new long[0];
    private int[] slots = new int[0];
    /** Keeps each registered buffer's memory alive while the kernel holds its pages. */
    private final List<ByteBuffer> held = new ArrayList<>();
    private final int[] freeFiles = new int[MAX_FILES];
    private int freeFileCount;
    private int filesInUse;

    FixedResources(Ring ring) {
        this.ring = ring;
        for (int i = 0; i < MAX_FILES; i++) {
            freeFiles[i] = MAX_FILES - 1 - i;
        }
        freeFileCount = MAX_FILES;
    }

    // ------------------------------------------------------------------------------------- buffers

    /**
     * Registers {@code capacity} bytes of {@code region} from its index 0.
     *
     * @return true if registered; false if the kernel refused (the reason is logged at DEBUG) or the table is full
     */
    boolean registerBuffer(ByteBuffer region, long address, long capacity) {
        if (bufferTable == 0) {
            bufferTable = table(IORING_REGISTER_BUFFERS2, MAX_BUFFERS, "IORING_REGISTER_BUFFERS2");
        }
        if (bufferTable < 0) {
            return false;
        }
        int slot = held.size();
        if (slot == MAX_BUFFERS) {
            LOG.debug("registered buffer table full ({} buffers): {} stays unregistered", MAX_BUFFERS, region);
            return false;
        }
        int err = ring.updateBuffer(slot, address, capacity);
        if (err != 0) {
            LOG.debug("IORING_REGISTER_BUFFERS_UPDATE of {} bytes refused: {} ({}); the buffer stays unregistered",
                    capacity, Errno.name(err), Errno.describe(err));
            return false;
        }
        held.add(region);
        int at = Arrays.binarySearch(starts, address);
        at = at < 0 ? -at - 1 : at;
        starts = insert(starts, at, address);
        ends = insert(ends, at, address + capacity);
        int[] s = new int[slots.length + 1];
        System.arraycopy(slots, 0, s, 0, at);
        s[at] = slot;
        System.arraycopy(slots, at, s, at + 1, slots.length - at);
        slots = s;
        return true;
    }

    /**
     * The buffer table slot of the registered region holding all of {@code [address, address + length)},
     * or -1 if none does (the op then takes the plain path). Of overlapping regions, the one starting
     * last at or before {@code address} is tried.
     */
    int bufferIndex(long address, int length) {
        long[] s = starts;
        if (s.length == 0) {
            return -1;
        }
        int at = Arrays.binarySearch(s, address);
        if (at < 0) {
            at = -at - 2; // the last region starting before address
            if (at < 0) {
                return -1;
            }
        }
        return address + length <= ends[at] ? slots[at] : -1;
    }

    // ------------------------------------------------------------------------------------- files

    /**
     * Puts {@code fd} in a free slot of the file table.
     *
     * @return the slot, or -1 if the kernel refused or every slot is taken (the device then uses its fd)
     */
    int acquireFileSlot(int fd) {
        if (fileTable == 0) {
            fileTable = table(IORING_REGISTER_FILES2, MAX_FILES, "IORING_REGISTER_FILES2");
        }
        if (fileTable < 0 || freeFileCount == 0) {
            return -1;
        }
        int slot = freeFiles[--freeFileCount];
        int err = ring.updateFile(slot, fd);
        if (err != 0) {
            freeFiles[freeFileCount++] = slot;
            LOG.debug("IORING_REGISTER_FILES_UPDATE2 of fd {} refused: {}; plain fd", fd, Errno.name(err));
            return -1;
        }
        filesInUse++;
        return slot;
    }

    /** Empties {@code slot} (its device has closed: no op names it any more) and makes it free again. */
    void releaseFileSlot(int slot) {
        int err = ring.updateFile(slot, -1);
        if (err != 0) {
            LOG.debug("emptying registered file slot {} failed: {}", slot, Errno.name(err));
        }
        freeFiles[freeFileCount++] = slot;
        filesInUse--;
    }

    /** Slots of the file table in use. */
    int files() {
        return filesInUse;
    }

    // ------------------------------------------------------------------------------------- life cycle

    /** Lets go of the registered buffers; call after the ring is closed (which releases the tables). */
    void close() {
        held.clear();
        starts = new long[0];
        ends = new long[0];
        slots = new int[0];
    }

    private int table(int opcode, int nr, String what) {
        int err = simulateUnsupported ? Errno.EINVAL : ring.registerSparse(opcode, nr);
        if (err != 0) {
            LOG.debug("{} (sparse, {} slots) refused: {} ({}); plain ops", what, nr, Errno.name(err),
                    Errno.describe(err));
            return -err;
        }
        return 1;
    }

    private static long[] insert(long[] a, int at, long v) {
        long[] r = new long[a.length + 1];
        System.arraycopy(a, 0, r, 0, at);
        r[at] = v;
        System.arraycopy(a, at, r, at + 1, a.length - at);
        return r;
    }
}
