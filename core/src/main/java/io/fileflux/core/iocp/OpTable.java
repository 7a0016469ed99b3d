package io.fileflux.core.iocp;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IOCP engine's operation bookkeeping: the table of operations in flight keyed by token (the
 * OVERLAPPED's address), the decision what a submit call's return value means, and the dispatch of a
 * result to its operation's callback. Kept in this one class so the driver can move to the op model
 * shared with the io_uring engine without touching the native code.
 *
 * <p>The four outcomes of {@code ReadFile}/{@code WriteFile} on a handle bound to the port:
 * <ul>
 *   <li>FALSE + {@code ERROR_IO_PENDING}: a packet will come ({@link #onPacket}).</li>
 *   <li>TRUE without {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}: a packet will come too.</li>
 *   <li>TRUE with skip-on-success: no packet; the result is in the OVERLAPPED already.</li>
 *   <li>FALSE + any other error ({@code ERROR_HANDLE_EOF} included): no packet.</li>
 * </ul>
 * Results found without a packet are never delivered on the submitting stack (Reactive Streams §3.3:
 * a callback that submits again must not recurse): on the completion thread they go to a local queue
 * that the completion loop drains after the current callback returns (a trampoline); from any other
 * thread they are posted to the port as a {@link IocpPort#KEY_HANDOFF} packet. Either way every
 * callback runs on the completion thread.
 *
 * <p>Threading: {@link #register}, {@link #submitted} and {@link #completeLater} may be called from any
 * thread; {@link #onPacket} and {@link #runReady} only from the completion thread.
 */
final class OpTable {

    private static final Logger LOG = LoggerFactory.getLogger(OpTable.class);

    private final IocpPort port;
    private final ConcurrentHashMap<Long, IocpOp> ops = new ConcurrentHashMap<>();
    /** Results found on the completion thread, waiting for the current callback to return. */
    private final ArrayDeque<IocpOp> ready = new ArrayDeque<>();
    private volatile Thread completionThread;

    OpTable(IocpPort port) {
        this.port = port;
    }

    IocpPort port() {
        return port;
    }

    /** Names the thread that reaps the port; results found on it are queued, not posted. */
    void bindCompletionThread(Thread thread) {
        this.completionThread = thread;
    }

    /** Adds {@code op} before the native call: its packet may be dequeued before the call returns. */
    void register(IocpOp op) {
        if (ops.putIfAbsent(op.token, op) != null) {
            throw new IllegalStateException("token in use: " + Long.toHexString(op.token));
        }
    }

    /** Removes an op the kernel never saw (the submission was refused before the native call). */
    void unregister(IocpOp op) {
        ops.remove(op.token, op);
    }

    /**
     * Interprets what {@code ReadFile}/{@code WriteFile} returned for {@code op}.
     *
     * @param returnedTrue  the call returned TRUE
     * @param lastError     {@code GetLastError()} after a FALSE (ignored after TRUE)
     * @param skipOnSuccess the handle has {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}
     * @throws IllegalStateException if a synchronous result could not be handed to the completion
     *                               thread; the op is then unregistered and its callback will not run
     */
    void submitted(IocpOp op, boolean returnedTrue, int lastError, boolean skipOnSuccess) {
        if (returnedTrue) {
            if (!skipOnSuccess) {
                return; // the packet is queued even though the call completed synchronously
            }
            op.setHandoffResult(Win32.ERROR_SUCCESS, op.bytesTransferred());
        } else if (lastError == Win32.ERROR_IO_PENDING) {
            return;
        } else {
            op.setHandoffResult(lastError, 0);
        }
        completeLater(op);
    }

    /**
     * Delivers the result stored in {@code op} on the completion thread: queued when called on it,
     * posted to the port otherwise.
     *
     * @throws IllegalStateException if the post failed; the op is unregistered and its memory released
     */
    void completeLater(IocpOp op) {
        if (Thread.currentThread() == completionThread) {
            ready.add(op);
            return;
        }
        int error = port.postHandoff(op.token);
        if (error != Win32.ERROR_SUCCESS) {
            unregister(op);
            op.abandon(); // no I/O of this op is in flight: a synchronous result is final
            throw new IllegalStateException("PostQueuedCompletionStatus failed: " + Win32.errorName(error));
        }
    }

    /**
     * Dispatches one dequeued packet (completion thread only).
     *
     * @param key        the packet's completion key
     * @param overlapped the packet's {@code lpOverlapped}: an op's token, or 0
     * @param bytes      the packet's byte count
     */
    void onPacket(long key, long overlapped, int bytes) {
        if (key == IocpPort.KEY_WAKE) {
            return;
        }
        IocpOp op = ops.remove(overlapped);
        if (op == null) {
            LOG.warn("completion for an unknown operation ignored (key {}, OVERLAPPED 0x{})", key,
                    Long.toHexString(overlapped));
            return;
        }
        if (key == IocpPort.KEY_HANDOFF) {
            op.complete(op.handoffError(), op.handoffBytes());
        } else {
            int status = op.ntStatus();
            int error = status == Win32.STATUS_SUCCESS ? Win32.ERROR_SUCCESS : port.ntStatusToWin32(status);
            op.complete(error, bytes);
        }
    }

    /**
     * Runs the results queued on the completion thread, including those queued by the callbacks it runs
     * (completion thread only).
     */
    void runReady() {
        IocpOp op;
        while ((op = ready.poll()) != null) {
            ops.remove(op.token, op);
            op.complete(op.handoffError(), op.handoffBytes());
        }
    }

    /** Requests cancellation of every operation in flight (engine shutdown). */
    void cancelAll() {
        for (IocpOp op : ops.values()) {
            op.cancel();
        }
    }

    /** Operations registered whose callback has not run yet. */
    int size() {
        return ops.size();
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }
}
