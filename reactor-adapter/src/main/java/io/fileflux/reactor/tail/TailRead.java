package io.fileflux.reactor.tail;

import io.fileflux.core.FileDevice;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One read of a tail at {@code position}: done at once from the page cache when the engine can
 * ({@link #readCached}), else submitted. A submitted read's buffer is the engine's until the callback has
 * run; the callback (on the engine's thread) only records the outcome and wakes the subscription's drain.
 */
final class TailRead implements IoCallback {
    static final int PENDING = 0;
    static final int DONE = 1;
    static final int FAILED = 2;

    private final Runnable wake;
    /** Where the read starts: {@link #overlap} bytes before the offset read so far. */
    final long position;
    /** The bytes read again before the offset read, to check that they did not change. */
    final int overlap;
    final ByteBuffer buffer;
    volatile IoOperation op;
    /** Written before {@link #state}, read after it. */
    int bytes;
    IOException error;
    volatile int state;

    TailRead(Runnable wake, long position, int overlap, ByteBuffer buffer) {
        this.wake = wake;
        this.position = position;
        this.overlap = overlap;
        this.buffer = buffer;
    }

    /**
     * Tries the read on this thread from the page cache ({@link FileDevice#readCached}): true if it is done
     * (the outcome recorded as a completion would), false if it must be submitted.
     */
    boolean readCached(FileDevice device) throws IOException {
        int n = device.readCached(buffer, position);
        if (n < 0) {
            return false;
        }
        done(n);
        return true;
    }

    /** Records a read done without the engine ({@code n} bytes, in the buffer): no callback, no wake-up. */
    void done(int n) {
        bytes = n;
        state = DONE;
    }

    /** Cancels the read if it is still in flight. */
    void cancel() {
        IoOperation o = op;
        if (state == PENDING && o != null) {
            o.cancel();
        }
    }

    @Override
    public void completed(int n) {
        bytes = n;
        state = DONE;
        wake.run();
    }

    @Override
    public void failed(IOException e) {
        error = e;
        state = FAILED;
        wake.run();
    }
}
