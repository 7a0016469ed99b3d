package io.fileflux.spring.webflux;

import java.util.Locale;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.ClassUtils;

/**
 * Chooses, per response, how a file body is sent: through the server's zero-copy path, or streamed through
 * Fileflux. Implementations must be thread-safe, quick and non-blocking (they run on the server's event loop).
 *
 * <p>{@link #auto()} (the default) mirrors what Reactor Netty's own {@code sendFile} can do without copying:
 * a whole file or one range, over plain HTTP/1.1, with no TLS, no HTTP/2 and no compression on the connection,
 * goes to {@code sendfile}; under TLS, HTTP/2 or compression Reactor Netty would fall back to reading the file
 * in 1 KiB chunks on the event loop ({@code ChunkedNioFile}), and several ranges ({@code multipart/byteranges})
 * are no single region: those are streamed through Fileflux.
 */
@FunctionalInterface
public interface TransferStrategy {

    /**
     * @param request  the request
     * @param response the response the body goes to (zero-copy needs a {@link ZeroCopyHttpOutputMessage})
     * @param regions  1 for a whole file or a single range, more for a {@code multipart/byteranges} body
     */
    TransferDecision decide(ServerHttpRequest request, ServerHttpResponse response, int regions);

    /** Zero-copy for a single region over plain HTTP/1.1, Fileflux otherwise (see the class comment). */
    static TransferStrategy auto() {
        return AutoStrategy.INSTANCE;
    }

    /**
     * {@link #auto()}, also streaming the responses that {@code mayCompress} says the server will compress. A
     * server that decides per response whether to compress (Reactor Netty with a minimum size or a predicate, as
     * Spring Boot's {@code server.compression} configures it) adds its compression handler only when it sends the
     * headers, after this choice: the connection cannot tell yet, the configuration can.
     *
     * @param mayCompress given the request and the response (its headers set: {@code Content-Type},
     *                    {@code Content-Length}), whether the server will compress the body
     */
    static TransferStrategy auto(java.util.function.BiPredicate<ServerHttpRequest, ServerHttpResponse> mayCompress) {
        java.util.Objects.requireNonNull(mayCompress, "mayCompress");
        return (request, response, regions) -> {
            TransferDecision d = AutoStrategy.INSTANCE.decide(request, response, regions);
            return d.transfer() == Transfer.ZERO_COPY && mayCompress.test(request, response)
                    ? TransferDecision.stream("compression") : d;
        };
    }

    /** Every file body streamed through Fileflux. */
    static TransferStrategy alwaysStream() {
        return (request, response, regions) -> TransferDecision.stream("configured to stream");
    }

    /**
     * Zero-copy whenever the response supports it and the body is a single region, TLS or not (as Spring's
     * own resource handling does: under TLS the server then copies the file itself).
     */
    static TransferStrategy zeroCopyWhenSupported() {
        return (request, response, regions) -> regions > 1 ? TransferDecision.stream("multipart ranges")
                : response instanceof ZeroCopyHttpOutputMessage ? TransferDecision.zeroCopy("configured to zero-copy")
                : TransferDecision.stream("the response has no zero-copy path");
    }

    /**
     * A strategy by name, as in configuration: {@code auto}, {@code stream} or {@code zero-copy}
     * (case-insensitive).
     *
     * @throws IllegalArgumentException for another name
     */
    static TransferStrategy named(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return auto();
            case "stream":
                return alwaysStream();
            case "zero-copy":
                return zeroCopyWhenSupported();
            default:
                throw new IllegalArgumentException("unknown transfer strategy '" + name
                        + "' (known: auto, stream, zero-copy)");
        }
    }

    /** {@link TransferStrategy#auto()}. */
    final class AutoStrategy implements TransferStrategy {

        static final AutoStrategy INSTANCE = new AutoStrategy();

        private static final boolean REACTOR_NETTY =
                ClassUtils.isPresent("reactor.netty.http.server.HttpServerResponse", AutoStrategy.class.getClassLoader());

        private AutoStrategy() {
        }

        @Override
        public TransferDecision decide(ServerHttpRequest request, ServerHttpResponse response, int regions) {
            if (regions > 1) {
                return TransferDecision.stream("multipart ranges");
            }
            if (!(response instanceof ZeroCopyHttpOutputMessage)) {
                return TransferDecision.stream("the response has no zero-copy path");
            }
            if (request.getSslInfo() != null) {
                return TransferDecision.stream("TLS");
            }
            if (REACTOR_NETTY) {
                String reason = NettyConnections.mustStream(response);
                if (reason != null) {
                    return TransferDecision.stream(reason);
                }
            }
            return TransferDecision.zeroCopy("plain HTTP/1.1");
        }

        @Override
        public String toString() {
            return "auto";
        }
    }
}
