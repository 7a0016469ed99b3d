package io.fileflux.samples.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that does not send a complete request head within the timeout, counted from the
 * connection's opening and from the end of each response that leaves no other request pending.
 *
 * <p>Reactor Netty's {@code idleTimeout} restarts on every byte read, so a client trickling a header a
 * byte at a time (slowloris) never reaches it, and its {@code readTimeout} starts only once the head is
 * complete. This handler sits right after the HTTP codec and sees decoded messages: a {@link HttpRequest}
 * (a complete head) disarms the deadline, the written {@link LastHttpContent} of the last pending
 * response arms it again. It runs on the channel's event loop only.
 */
final class RequestHeaderTimeout extends ChannelDuplexHandler {

    /** The handler's name on the pipeline. */
    static final String NAME = "fileflux.requestHeaderTimeout";

    private final long timeoutNanos;
    private ScheduledFuture<?> deadline;
    /** Requests whose head arrived and whose response is not written yet. */
    private int pending;

    RequestHeaderTimeout(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            pending++;
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            ctx.write(msg, promise.unvoid()).addListener((ChannelFutureListener) f -> {
                if (--pending <= 0) {
                    pending = 0;
                    arm(ctx);
                }
            });
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        if (ctx.channel().isActive()) {
            deadline = ctx.executor().schedule(() -> {
                ctx.close();
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
