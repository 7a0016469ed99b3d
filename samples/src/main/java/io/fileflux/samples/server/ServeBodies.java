package io.fileflux.samples.server;

import io.fileflux.reactor.ReadOptions;
import io.fileflux.spring.webflux.FileBodyCustomizer;
import io.fileflux.spring.webflux.TransferDecision;
import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The file server's adjustments to file bodies (a {@link FileBodyCustomizer} the starter picks up): every file
 * body closes its connection, and a streamed body is delivered on its connection's event loop, counted for the
 * status endpoint, and asks the file for more only while the connection is writable ({@link WritableDemand}),
 * so that a client that stops reading holds about {@code 64 KiB + inFlight × chunkSize} on the server.
 *
 * <p>{@code Connection: close}: a file body completes once its file is closed, a moment after the client has
 * every byte Content-Length promised; a request the client sends in that moment is queued by Reactor Netty
 * 1.3.7, and a queued request that completes synchronously (a 301, 304, 404...) makes the connection stop
 * reading (reactor-netty#4361, fixed after 1.3.7): the client's next request then hangs. Small responses —
 * redirects, revalidations, listings, errors — keep the connection alive.
 *
 * <p>Thread-safe: the counters are atomic, the set of gates concurrent.
 */
final class ServeBodies implements FileBodyCustomizer {

    private final int inFlight;
    private final AtomicLong activeResponses = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();
    /** The streamed bodies being written, gated on their connection's writability. */
    private final Set<WritableDemand.Gate<?>> gates = ConcurrentHashMap.newKeySet();

    ServeBodies(int inFlight) {
        this.inFlight = inFlight;
    }

    @Override
    public void beforeBody(ServerHttpResponse response, TransferDecision decision) {
        response.getHeaders().set(HttpHeaders.CONNECTION, "close");
    }

    /**
     * Delivered on the connection's event loop: each chunk reaches Netty's outbound buffer before the gate looks
     * at the channel's writability (from another thread it would only be queued for the loop, and the gate would
     * keep asking for more while the client reads nothing).
     */
    @Override
    public ReadOptions readOptions(ReadOptions options, ServerHttpResponse response) {
        Channel channel = channelOf(response);
        return channel == null ? options : options.deliverOn(Schedulers.fromExecutor(channel.eventLoop()));
    }

    @Override
    public Flux<DataBuffer> body(Flux<DataBuffer> body, ServerHttpResponse response) {
        Flux<DataBuffer> counted = body
                .doOnSubscribe(s -> {
                    activeResponses.incrementAndGet();
                    responses.incrementAndGet();
                })
                .doOnNext(b -> bytesRead.addAndGet(b.readableByteCount()))
                .doFinally(signal -> activeResponses.decrementAndGet());
        Channel channel = channelOf(response);
        return channel == null ? counted : new WritableDemand<>(counted, channel, inFlight, gates);
    }

    /** Streamed bodies being written. */
    long activeResponses() {
        return activeResponses.get();
    }

    /** Streamed bodies started. */
    long responses() {
        return responses.get();
    }

    /** File bytes streamed. */
    long bytesRead() {
        return bytesRead.get();
    }

    /** Streamed bodies paused until their client reads. */
    long waitingForClient() {
        return gates.stream().filter(WritableDemand.Gate::waitingForClient).count();
    }

    /** The Netty channel a response is written to, or null if it is not Reactor Netty's. */
    static Channel channelOf(ServerHttpResponse response) {
        Object nativeResponse;
        try {
            nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!(nativeResponse instanceof HttpServerResponse netty)) {
            return null;
        }
        Channel[] channel = new Channel[1];
        netty.withConnection(connection -> channel[0] = connection.channel());
        return channel[0];
    }
}
