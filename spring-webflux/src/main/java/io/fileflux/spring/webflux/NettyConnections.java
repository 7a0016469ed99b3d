package io.fileflux.spring.webflux;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The Reactor Netty connection under a response, read the way Reactor Netty's {@code sendFile} reads it to
 * decide between a {@code FileRegion} (zero-copy) and {@code ChunkedNioFile}. Loaded only when Reactor Netty
 * is on the class path. Stateless.
 */
final class NettyConnections {

    private NettyConnections() {
    }

    /**
     * Why this response cannot go zero-copy on its connection ({@code "TLS"}, {@code "compression"},
     * {@code "HTTP/2"}), or null if it can (or it is not a Reactor Netty response).
     */
    static String mustStream(ServerHttpResponse response) {
        Channel channel = channel(response);
        if (channel == null) {
            return null;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(SslHandler.class) != null) {
            return "TLS";
        }
        if (pipeline.get(NettyPipeline.CompressionHandler) != null) {
            return "compression";
        }
        Channel parent = channel.parent();
        if (parent != null && parent.pipeline().get(NettyPipeline.H2MultiplexHandler) != null) {
            return "HTTP/2";
        }
        return null;
    }

    /** The Netty channel a response is written to, or null if it is not Reactor Netty's. */
    static Channel channel(ServerHttpResponse response) {
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
