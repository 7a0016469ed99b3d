package io.fileflux.core.uring;

/**
 * The io_uring kernel ABI this engine uses, written down once: structure sizes and field offsets,
 * opcodes and flags, as defined in {@code include/uapi/linux/io_uring.h}. Rings and entries are
 * accessed through these offsets on {@code ByteBuffer} views of the mapped memory — no JNA
 * {@code Structure}. Constants only.
 */
final class IoUringAbi {

    private IoUringAbi() {
    }

    // ---- struct io_uring_params (120 bytes) -------------------------------------------------
    static final int PARAMS_SIZE = 120;
    static final int P_SQ_ENTRIES = 0;       // __u32 sq_entries
    static final int P_CQ_ENTRIES = 4;       // __u32 cq_entries
    static final int P_FLAGS = 8;            // __u32 flags
    static final int P_FEATURES = 20;        // __u32 features (after sq_thread_cpu, sq_thread_idle)
    static final int P_SQ_OFF = 40;          // struct io_sqring_offsets sq_off (after wq_fd, resv[3])
    static final int P_CQ_OFF = 80;          // struct io_cqring_offsets cq_off

    // struct io_sqring_offsets (40 bytes), relative to P_SQ_OFF
    static final int SQ_OFF_HEAD = 0;
    static final int SQ_OFF_TAIL = 4;
    static final int SQ_OFF_RING_MASK = 8;
    static final int SQ_OFF_RING_ENTRIES = 12;
    static final int SQ_OFF_FLAGS = 16;
    static final int SQ_OFF_DROPPED = 20;
    static final int SQ_OFF_ARRAY = 24;

    // struct io_cqring_offsets (40 bytes), relative to P_CQ_OFF
    static final int CQ_OFF_HEAD = 0;
    static final int CQ_OFF_TAIL = 4;
    static final int CQ_OFF_RING_MASK = 8;
    static final int CQ_OFF_RING_ENTRIES = 12;
    static final int CQ_OFF_OVERFLOW = 16;
    static final int CQ_OFF_CQES = 20;

    // ---- struct io_uring_sqe (64 bytes) ------------------------------------------------------
    static final int SQE_SIZE = 64;
    static final int SQE_OPCODE = 0;         // __u8
    static final int SQE_FLAGS = 1;          // __u8
    static final int SQE_IOPRIO = 2;         // __u16
    static final int SQE_FD = 4;             // __s32
    static final int SQE_OFF = 8;            // __u64 off / addr2
    static final int SQE_ADDR = 16;          // __u64 addr
    static final int SQE_LEN = 24;           // __u32 len
    static final int SQE_OP_FLAGS = 28;      // __u32 rw_flags / fsync_flags / poll32_events / cancel_flags
    static final int SQE_USER_DATA = 32;     // __u64 user_data
    static final int SQE_BUF_INDEX = 40;     // __u16 buf_index, __u16 personality, __s32 splice_fd_in
    static final int SQE_ADDR3 = 48;         // __u64 addr3
    static final int SQE_PAD = 56;           // __u64 __pad2[0]

    // ---- struct io_uring_cqe (16 bytes) ------------------------------------------------------
    static final int CQE_SIZE = 16;
    static final int CQE_USER_DATA = 0;      // __u64
    static final int CQE_RES = 8;            // __s32
    static final int CQE_FLAGS = 12;         // __u32

    // ---- mmap offsets ------------------------------------------------------------------------
    static final long IORING_OFF_SQ_RING = 0L;
    static final long IORING_OFF_CQ_RING = 0x8000000L;
    static final long IORING_OFF_SQES = 0x10000000L;

    // ---- opcodes (enum io_uring_op) ------------------------------------------------------------
    static final byte IORING_OP_NOP = 0;
    static final byte IORING_OP_FSYNC = 3;
    static final byte IORING_OP_READ_FIXED = 4;   // addr/len inside the registered buffer sqe->buf_index
    static final byte IORING_OP_WRITE_FIXED = 5;
    static final byte IORING_OP_POLL_ADD = 6;
    static final byte IORING_OP_ASYNC_CANCEL = 14;
    static final byte IORING_OP_READ = 22;
    static final byte IORING_OP_WRITE = 23;

    // ---- sqe->flags ----------------------------------------------------------------------------
    static final byte IOSQE_FIXED_FILE = 1;       // sqe->fd is an index into the registered file table
    static final byte IOSQE_ASYNC = 1 << 4;

    // ---- sqe->fsync_flags ----------------------------------------------------------------------
    static final int IORING_FSYNC_DATASYNC = 1;

    // ---- io_uring_setup flags ------------------------------------------------------------------
    static final int IORING_SETUP_CQSIZE = 1 << 3;
    static final int IORING_SETUP_CLAMP = 1 << 4;
    static final int IORING_SETUP_R_DISABLED = 1 << 6;      // Linux 5.10: created disabled, enabled by ENABLE_RINGS
    static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;  // Linux 6.0: one task submits
    static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;  // Linux 6.1: completions run when that task waits

    // ---- io_uring_params.features --------------------------------------------------------------
    static final int IORING_FEAT_SINGLE_MMAP = 1;
    static final int IORING_FEAT_NODROP = 1 << 1;
    static final String[] FEATURE_NAMES = {
        "SINGLE_MMAP", "NODROP", "SUBMIT_STABLE", "RW_CUR_POS", "CUR_PERSONALITY", "FAST_POLL",
        "POLL_32BITS", "SQPOLL_NONFIXED", "EXT_ARG", "NATIVE_WORKERS", "RSRC_TAGS", "CQE_SKIP",
        "LINKED_FILE", "REG_REG_RING", "RECVSEND_BUNDLE", "MIN_TIMEOUT", "RW_ATTR", "NO_IOWAIT",
    };

    // ---- sq ring flags ------------------------------------------------------------------------
    static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;

    // ---- io_uring_enter flags ------------------------------------------------------------------
    static final int IORING_ENTER_GETEVENTS = 1;

    // ---- io_uring_register opcodes and struct io_uring_probe -----------------------------------
    static final int IORING_REGISTER_PROBE = 8;
    static final int IORING_REGISTER_FILES2 = 13;            // Linux 5.13, arg: struct io_uring_rsrc_register
    static final int IORING_REGISTER_FILES_UPDATE2 = 14;     // Linux 5.13, arg: struct io_uring_rsrc_update2
    static final int IORING_REGISTER_BUFFERS2 = 15;          // Linux 5.13, arg: struct io_uring_rsrc_register
    static final int IORING_REGISTER_BUFFERS_UPDATE = 16;    // Linux 5.13, arg: struct io_uring_rsrc_update2
    static final int IORING_REGISTER_ENABLE_RINGS = 12;
    static final int IORING_REGISTER_IOWQ_MAX_WORKERS = 19;  // arg: __u32[2] {bounded, unbounded}
    static final int PROBE_HEADER_SIZE = 16;  // __u8 last_op, __u8 ops_len, __u16 resv, __u32 resv2[3]
    static final int PROBE_OP_SIZE = 8;       // struct io_uring_probe_op: __u8 op, __u8 resv, __u16 flags, __u32
    static final int PROBE_OP_FLAGS = 2;
    static final int IO_URING_OP_SUPPORTED = 1;

    // struct io_uring_rsrc_register (32 bytes): __u32 nr, __u32 flags, __u64 resv2, __u64 data, __u64 tags
    static final int RSRC_REGISTER_SIZE = 32;
    static final int RSRC_REGISTER_NR = 0;
    static final int RSRC_REGISTER_FLAGS = 4;
    static final int IORING_RSRC_REGISTER_SPARSE = 1;        // nr empty slots, data = 0
    // struct io_uring_rsrc_update2 (32 bytes): __u32 offset, __u32 resv, __u64 data, __u64 tags, __u32 nr, __u32 resv2
    static final int RSRC_UPDATE_SIZE = 32;
    static final int RSRC_UPDATE_OFFSET = 0;
    static final int RSRC_UPDATE_DATA = 8;
    static final int RSRC_UPDATE_NR = 24;
    // struct iovec (16 bytes): void *iov_base, size_t iov_len
    static final int IOVEC_SIZE = 16;
    /** The largest registered buffer the kernel accepts (io_uring/rsrc.c: {@code SZ_1G}). */
    static final long MAX_REGISTERED_BUFFER = 1L << 30;

    /** The feature flags as names, e.g. {@code SINGLE_MMAP|NODROP|...}. */
    static String featureNames(int features) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            if ((features & (1 << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(i < FEATURE_NAMES.length ? FEATURE_NAMES[i] : "bit" + i);
            }
        }
        return sb.toString();
    }
}
