package io.fileflux.core.nio;

import io.fileflux.core.IoCallback;
import io.fileflux.core.completion.BounceBuffers;
import io.fileflux.core.completion.CompletionOp;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A transfer of a heap buffer through a direct bounce buffer taken from {@link BounceBuffers} when the
 * op is submitted (so that running out of direct memory fails the submission, on the caller's thread),
 * copied into (read) or accounted to (write) the caller's buffer on completion, and given back only then,
 * when the channel is done with it. At most {@link CompletionOp#MAX_BOUNCE} bytes move per op; the caller
 * continues a short transfer. Threading: one op; the callback runs once, on a pool thread.
 */
final class Bounced implements IoCallback {

    final ByteBuffer bounce;
    private final ByteBuffer user;
    private final boolean read;
    private final IoCallback callback;

    private Bounced(ByteBuffer bounce, ByteBuffer user, boolean read, IoCallback callback) {
        this.bounce = bounce;
        this.user = user;
        this.read = read;
        this.callback = callback;
    }

    static Bounced read(ByteBuffer dst, IoCallback callback) {
        ByteBuffer bounce = BounceBuffers.acquire(Math.min(dst.remaining(), CompletionOp.MAX_BOUNCE));
        return new Bounced(bounce, dst, true, callback);
    }

    static Bounced write(ByteBuffer src, IoCallback callback) {
        int n = Math.min(src.remaining(), CompletionOp.MAX_BOUNCE);
        ByteBuffer bounce = BounceBuffers.acquire(n);
        bounce.put(src.duplicate().limit(src.position() + n)).flip();
        return new Bounced(bounce, src, false, callback);
    }

    @Override
    public void completed(int bytes) {
        if (bytes > 0) {
            if (read) {
                user.put(bounce.flip().limit(bytes));
            } else {
                user.position(user.position() + bytes);
            }
        }
        BounceBuffers.release(bounce);
        callback.completed(bytes);
    }

    @Override
    public void failed(IOException error) {
        BounceBuffers.release(bounce);
        callback.failed(error);
    }
}
