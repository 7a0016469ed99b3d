package io.fileflux.core.iocp;

import io.fileflux.core.completion.CompletionDriver;
import io.fileflux.core.completion.CompletionOp;
import io.fileflux.core.completion.OpKind;
import io.fileflux.core.completion.OpTable;
import java.lang.ref.Reference;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IOCP side of the shared completion model: how an op is handed to kernel32, how it is cancelled,
 * and how a dequeued packet becomes the op's result. Ops live in the shared {@link OpTable}; each one
 * carries an {@link Overlapped} (its OVERLAPPED plus its token) as attachment.
 *
 * <p>The four outcomes of {@code ReadFile}/{@code WriteFile} on a handle bound to the port
 * ({@link #submitted}):
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
 * <p>Results: success → {@code complete(n)}; on a read {@code ERROR_HANDLE_EOF} (38) and
 * {@code ERROR_BROKEN_PIPE} (109, the writer of a pipe went away) → {@code complete(0)};
 * {@code ERROR_OPERATION_ABORTED} (995) → {@code cancelled}; anything else → {@code fail} with the Win32
 * code and its SDK name.
 *
 * <p>Threading: {@link #submit} and {@link #cancel} may be called from any thread; {@link #onPacket}
 * and {@link #runReady} only from the completion thread.
 */
final class IocpDriver implements CompletionDriver {

    /** Driver flag of a device whose handle has {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}. */
    static final int SKIP_ON_SUCCESS = 1;

    private static final Logger LOG = LoggerFactory.getLogger(IocpDriver.class);

    private final IocpPort port;
    private final Executor blocking;
    private final OpTable table = new OpTable(64);
    /** Results found on the completion thread, waiting for the current callback to return. */
    private final ArrayDeque<CompletionOp> ready = new ArrayDeque<>();
    private volatile Thread completionThread;

    /**
     * @param port     kernel32, or a fake in tests
     * @param blocking runs {@code FlushFileBuffers}, which blocks and has no overlapped form
     */
    IocpDriver(IocpPort port, Executor blocking) {
        this.port = port;
        this.blocking = blocking;
    }

    /** Names the thread that reaps the port; results found on it are queued, not posted. */
    void bindCompletionThread(Thread thread) {
        this.completionThread = thread;
    }

    @Override
    public OpTable ops() {
        return table;
    }

    @Override
    public void submit(CompletionOp op) {
        Overlapped ov = new Overlapped(op.token(), op.offset());
        op.attach(ov); // strongly reachable through the table until the completion is dispatched
        if (op.kind() == OpKind.SYNC) {
            try {
                blocking.execute(() -> {
                    ov.setHandoff(port.flush(op.handle()), 0);
                    try {
                        handOff(op, ov);
                    } catch (IllegalStateException e) {
                        LOG.error("{}: the flush result cannot reach the completion thread", op, e);
                    }
                });
            } catch (RejectedExecutionException e) {
                throw new IllegalStateException("engine closed", e);
            }
            return;
        }
        int error = port.startIo(op.kind() == OpKind.WRITE, op.handle(), op.address(), op.length(), ov.address);
        submitted(op, ov, error, (op.driverFlags() & SKIP_ON_SUCCESS) != 0);
    }

    /**
     * Interprets what {@code ReadFile}/{@code WriteFile} returned for {@code op}.
     *
     * @param error         {@link Win32#ERROR_SUCCESS} for TRUE, otherwise {@code GetLastError()}
     * @param skipOnSuccess the handle has {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}
     * @throws IllegalStateException if a synchronous result could not be handed to the completion thread
     *                               (the device then unregisters the op; its callback will not run)
     */
    void submitted(CompletionOp op, Overlapped ov, int error, boolean skipOnSuccess) {
        if (error == Win32.ERROR_SUCCESS) {
            if (!skipOnSuccess) {
                return; // the packet is queued even though the call completed synchronously
            }
            ov.setHandoff(Win32.ERROR_SUCCESS, ov.bytesTransferred());
        } else if (error == Win32.ERROR_IO_PENDING) {
            return;
        } else {
            ov.setHandoff(error, 0);
        }
        handOff(op, ov);
    }

    /** Delivers the result stored in {@code ov} on the completion thread: queued on it, posted otherwise. */
    private void handOff(CompletionOp op, Overlapped ov) {
        if (Thread.currentThread() == completionThread) {
            ready.add(op);
            return;
        }
        // the packet carries the token itself: the completion thread never dereferences a posted pointer
        int error = port.postHandoff(op.token());
        if (error != Win32.ERROR_SUCCESS) {
            throw new IllegalStateException("PostQueuedCompletionStatus failed: " + Win32.errorName(error));
        }
        Reference.reachabilityFence(ov);
    }

    /**
     * {@code CancelIoEx} on the op's OVERLAPPED. The op's {@code cancel()} calls this at most once; the
     * engine's shutdown may call it again, which is harmless ({@code ERROR_NOT_FOUND}). A flush cannot be
     * cancelled and completes normally.
     */
    @Override
    public void cancel(CompletionOp op) {
        if (op.kind() == OpKind.SYNC || !(op.attachment() instanceof Overlapped)) {
            return;
        }
        Overlapped ov = (Overlapped) op.attachment();
        int error = port.cancel(op.handle(), ov.address);
        // CancelIoEx matches by address: the OVERLAPPED must stay allocated during the call
        Reference.reachabilityFence(ov);
        if (error != Win32.ERROR_SUCCESS && error != Win32.ERROR_NOT_FOUND) {
            LOG.debug("CancelIoEx for {} failed: {}", op, Win32.errorName(error));
        }
    }

    /**
     * Dispatches one dequeued packet (completion thread only).
     *
     * @param key        the packet's completion key
     * @param overlapped the packet's {@code lpOverlapped}: an op's OVERLAPPED ({@link IocpPort#KEY_IO}) or
     *                   token ({@link IocpPort#KEY_HANDOFF})
     * @param bytes      the packet's byte count
     */
    void onPacket(long key, long overlapped, int bytes) {
        if (key == IocpPort.KEY_HANDOFF) {
            CompletionOp op = table.remove(overlapped);
            if (op == null) {
                LOG.warn("hand-off for an unknown op ignored (token {})", Long.toHexString(overlapped));
                return;
            }
            Overlapped ov = (Overlapped) op.attachment();
            deliver(op, ov.handoffError(), ov.handoffBytes());
        } else if (key == IocpPort.KEY_IO) {
            // only ops of ours pend on the port, and each completes once: the memory is still ours
            long token = overlapped != 0 ? Overlapped.tokenAt(overlapped) : 0;
            CompletionOp op = table.get(token);
            if (op == null || ((Overlapped) op.attachment()).address != overlapped) {
                LOG.warn("completion for an unknown OVERLAPPED 0x{} ignored", Long.toHexString(overlapped));
                return;
            }
            table.remove(token);
            int status = ((Overlapped) op.attachment()).ntStatus();
            deliver(op, status == Win32.STATUS_SUCCESS ? Win32.ERROR_SUCCESS : port.ntStatusToWin32(status), bytes);
        } else if (key != IocpPort.KEY_WAKE) {
            LOG.warn("packet with an unknown completion key {} ignored", key);
        }
    }

    /**
     * Runs the results queued on the completion thread, including those queued by the callbacks it runs
     * (completion thread only).
     */
    void runReady() {
        CompletionOp op;
        while ((op = ready.poll()) != null) {
            if (table.remove(op.token()) != op) {
                LOG.error("{} was queued but is not in the op table", op);
                continue;
            }
            Overlapped ov = (Overlapped) op.attachment();
            deliver(op, ov.handoffError(), ov.handoffBytes());
        }
    }

    private static void deliver(CompletionOp op, int error, int bytes) {
        try {
            if (error == Win32.ERROR_SUCCESS) {
                op.complete(bytes);
            } else if (op.kind() == OpKind.READ
                    && (error == Win32.ERROR_HANDLE_EOF || error == Win32.ERROR_BROKEN_PIPE)) {
                op.complete(0);
            } else if (error == Win32.ERROR_OPERATION_ABORTED) {
                op.cancelled(error, Win32.errorName(error));
            } else {
                op.fail(error, Win32.errorName(error), null);
            }
        } catch (RuntimeException e) {
            LOG.error("dispatching {} failed", op, e);
        }
    }

    /**
     * Refuses further ops and cancels every op still in flight, which then ends with
     * {@link io.fileflux.core.EngineClosedException} (unless its caller had cancelled it already or it
     * completed anyway); called once at engine close, and again while draining: an op registered just
     * before close may have pended since, and a second {@code CancelIoEx} of a completed op is harmless.
     */
    void shutdown() {
        for (CompletionOp op : table.close()) {
            if (!op.cancelForClose()) {
                cancel(op);
            }
        }
    }
}
