package io.fileflux.spring.webflux;

import io.fileflux.reactor.ReadOptions;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Flux;

/**
 * Adjusts file bodies as they are written: the response headers of every file body, and for streamed
 * bodies the read options (for example where chunks are delivered) and the body itself (for example a gate
 * that asks for more only while the connection is writable). Called on the thread writing the response;
 * implementations must be thread-safe and must not block. Every method has a default that changes nothing.
 */
public interface FileBodyCustomizer {

    /** A customizer that changes nothing. */
    FileBodyCustomizer NONE = new FileBodyCustomizer() { };

    /** Before any file body (zero-copy or streamed) is written: last changes to the response's headers. */
    default void beforeBody(ServerHttpResponse response, TransferDecision decision) {
    }

    /** The read options of a streamed body written to {@code response}. */
    default ReadOptions readOptions(ReadOptions options, ServerHttpResponse response) {
        return options;
    }

    /**
     * A streamed body as it will be written to {@code response}. Whatever is returned must release the
     * buffers it drops.
     */
    default Flux<DataBuffer> body(Flux<DataBuffer> body, ServerHttpResponse response) {
        return body;
    }
}
