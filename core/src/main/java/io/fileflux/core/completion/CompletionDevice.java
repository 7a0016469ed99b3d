package io.fileflux.core.completion;

import io.fileflux.core.AbstractFileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A device of a completion-queue engine: every read, write and sync becomes a {@link CompletionOp}
 * registered in the driver's {@link OpTable} and handed to the {@link CompletionDriver}. A platform
 * device only adds its handle's size and close.
 *
 * <p>Direct I/O: a device opened with {@code FilefluxOption.DIRECT} refuses, before anything
 * reaches the kernel, a position, a length or a direct buffer address that is not a multiple of
 * {@value #DIRECT_ALIGNMENT} (heap buffers go through an aligned bounce buffer).
 *
 * <p>Threading and ownership: see {@link io.fileflux.core.FileDevice}.
 */
public abstract class CompletionDevice extends AbstractFileDevice {

    /** The alignment of positions, lengths and buffer addresses on a direct-I/O device. */
    public static final int DIRECT_ALIGNMENT = 4096;

    private final CompletionDriver driver;
    private final long handle;
    private final boolean direct;
    private final boolean stream;
    private final int driverFlags;

    /**
     * @param handle the native handle, passed to the driver with every op
     * @param direct opened for direct I/O: alignment is checked on every op
     * @param stream the file has no position (a FIFO): ops are given offset -1
     * @param driverFlags passed to the driver with every op ({@link CompletionOp#driverFlags()})
     */
    protected CompletionDevice(FileEngine engine, CompletionDriver driver, Path path, FileIdentity identity,
                               boolean writable, long handle, boolean direct, boolean stream, int driverFlags) {
        super(engine, path, identity, writable);
        this.driver = driver;
        this.handle = handle;
        this.direct = direct;
        this.stream = stream;
        this.driverFlags = driverFlags;
    }

    /** The native handle. */
    protected final long handle() {
        return handle;
    }

    /** True if the device was opened for direct I/O. */
    public final boolean isDirect() {
        return direct;
    }

    @Override
    protected final IoOperation submitRead(ByteBuffer dst, long position, IoCallback callback) {
        checkAlignment(dst, position);
        return start(CompletionOp.read(driver, path(), handle, dst, position, stream ? -1 : position, callback,
                driverFlags));
    }

    @Override
    protected final IoOperation submitWrite(ByteBuffer src, long position, IoCallback callback) {
        checkAlignment(src, position);
        return start(CompletionOp.write(driver, path(), handle, src, position, stream ? -1 : position, callback,
                driverFlags));
    }

    @Override
    protected final IoOperation submitSync(boolean metadata, IoCallback callback) {
        return start(CompletionOp.sync(driver, path(), handle, metadata, callback, driverFlags));
    }

    private IoOperation start(CompletionOp op) {
        OpTable table = driver.ops();
        long token;
        try {
            token = table.register(op);
        } catch (IllegalStateException e) {
            throw engineClosed(op.kind().label()); // lost a race with the engine's close
        }
        try {
            driver.submit(op);
        } catch (RuntimeException | Error e) {
            table.remove(token);
            if (e instanceof IllegalStateException && table.isClosed()) {
                throw engineClosed(op.kind().label());
            }
            throw e;
        }
        return op;
    }

    private void checkAlignment(ByteBuffer buffer, long position) {
        if (!direct) {
            return;
        }
        if (position % DIRECT_ALIGNMENT != 0) {
            throw new IllegalArgumentException(
                    "direct I/O needs a position that is a multiple of " + DIRECT_ALIGNMENT + ", was " + position);
        }
        if (buffer.remaining() % DIRECT_ALIGNMENT != 0) {
            throw new IllegalArgumentException("direct I/O needs a length that is a multiple of "
                    + DIRECT_ALIGNMENT + ", was " + buffer.remaining());
        }
        if (buffer.isDirect() && (CompletionOp.addressOf(buffer) + buffer.position()) % DIRECT_ALIGNMENT != 0) {
            throw new IllegalArgumentException("direct I/O needs a buffer address aligned to " + DIRECT_ALIGNMENT
                    + " (use ByteBuffer.allocateDirect(n + 4095).alignedSlice(4096))");
        }
    }
}
