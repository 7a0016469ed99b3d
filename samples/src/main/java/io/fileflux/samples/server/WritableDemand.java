package io.fileflux.samples.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * A response body that asks its source for more only while the connection is writable, at most
 * {@code window} items ahead.
 *
 * <p>Reactor Netty's send loop ({@code MonoSendMany}) requests 128 items ahead and requests more as
 * writes complete; it never looks at the channel's writability before requesting. Passed a file body
 * directly, a client that stops reading therefore holds 128 chunks on the server (32 MiB with 256 KiB
 * chunks). Behind this operator it holds what Netty's outbound buffer held when the channel turned
 * unwritable (at most its high water mark) plus the {@code window} chunks requested before that: about
 * {@code 64 KiB + window × chunk size}. Reading resumes when the channel is writable again, signalled by
 * the channel's {@link Listener}; without one on the pipeline, the body passes through ungated.
 */
final class WritableDemand<T> extends FluxOperator<T, T> {

    /** The name of the {@link Listener} on each server channel's pipeline. */
    static final String LISTENER = "fileflux.writableDemand";

    private final Channel channel;
    private final int window;
    private final Set<Gate<?>> active;

    /**
     * @param channel the connection the body is written to
     * @param window  the most items requested from the source and not yet received
     * @param active  the gates of the bodies being written (for the status endpoint): each adds itself
     *                when subscribed and removes itself when it terminates or is cancelled
     */
    WritableDemand(Flux<? extends T> source, Channel channel, int window, Set<Gate<?>> active) {
        super(source);
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, was " + window);
        }
        this.channel = channel;
        this.window = window;
        this.active = active;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        Listener listener = channel.pipeline().get(Listener.class);
        if (listener == null) {
            source.subscribe(actual);
            return;
        }
        source.subscribe(new Gate<>(actual, channel, listener, window, active));
    }

    /**
     * Wakes the gate of the body being written on this channel when the channel turns writable. One per
     * channel, added when the channel is initialised; a connection writes one file body at a time.
     */
    static final class Listener extends ChannelInboundHandlerAdapter {

        volatile Gate<?> gate;

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Gate<?> g = gate;
            if (g != null && ctx.channel().isWritable()) {
                g.drain();
            }
            ctx.fireChannelWritabilityChanged();
        }
    }

    static final class Gate<T> implements CoreSubscriber<T>, Subscription {

        final CoreSubscriber<? super T> actual;
        final Channel channel;
        final Listener listener;
        final int window;
        final Set<Gate<?>> active;

        Subscription upstream;

        volatile int wip;
        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<Gate> WIP = AtomicIntegerFieldUpdater.newUpdater(Gate.class, "wip");

        /** Downstream demand not yet satisfied. */
        volatile long requested;
        @SuppressWarnings("rawtypes")
        static final AtomicLongFieldUpdater<Gate> REQUESTED = AtomicLongFieldUpdater.newUpdater(Gate.class, "requested");

        /** Requested from the source and not yet received. */
        volatile int outstanding;
        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<Gate> OUTSTANDING =
                AtomicIntegerFieldUpdater.newUpdater(Gate.class, "outstanding");

        volatile boolean cancelled;
        volatile boolean done;

        Gate(CoreSubscriber<? super T> actual, Channel channel, Listener listener, int window, Set<Gate<?>> active) {
            this.actual = actual;
            this.channel = channel;
            this.listener = listener;
            this.window = window;
            this.active = active;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                listener.gate = this;
                active.add(this);
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(T t) {
            OUTSTANDING.decrementAndGet(this);
            Operators.produced(REQUESTED, this, 1);
            actual.onNext(t);
            drain();
        }

        @Override
        public void onError(Throwable t) {
            done = true;
            detach();
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            done = true;
            detach();
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                Operators.addCap(REQUESTED, this, n);
                drain();
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            detach();
            upstream.cancel();
        }

        /** True while the body wants more but waits for the client to read what it was sent. */
        boolean waitingForClient() {
            return !done && !cancelled && outstanding == 0 && requested > 0 && !channel.isWritable();
        }

        private void detach() {
            active.remove(this);
            if (listener.gate == this) {
                listener.gate = null;
            }
        }

        /** Requests from the source while the channel is writable, up to the window and the downstream demand. */
        void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                if (!cancelled && !done && channel.isWritable()) {
                    int o = outstanding;
                    long n = Math.min(window - o, requested - o);
                    if (n > 0) {
                        OUTSTANDING.addAndGet(this, (int) n);
                        upstream.request(n);
                    }
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }
    }
}
