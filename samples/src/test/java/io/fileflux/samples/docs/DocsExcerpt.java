package io.fileflux.samples.docs;

import io.fileflux.reactor.ReadOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.reactivestreams.Subscriber;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The placeholders an excerpt of the docs may use without declaring them: the reader's own file, data,
 * subscriber, response or sink. {@link DocsCompileTest} compiles every ```java block without import lines
 * as the body of a method of a subclass of this class. Add a name here only when a doc means "your own X"
 * by it; everything a reader should copy belongs in the block itself.
 */
@SuppressWarnings("unused")
public abstract class DocsExcerpt {

    // files
    protected Path path;
    protected Path bigFile;

    // data to write, subscribers, a sink
    protected Flux<ByteBuffer> buffers;
    protected Flux<ByteBuffer> source;
    protected Subscriber<ByteBuffer> a;
    protected Subscriber<ByteBuffer> b;

    protected void consume(ByteBuffer buffer) {
    }

    protected void writeToSlowSink(ByteBuffer buffer) {
    }

    protected Mono<Void> ship(String line) {
        return Mono.empty();
    }

    // a WebFlux handler's request, response and what it computed so far (docs/webflux.md)
    protected ServerHttpResponse response;
    protected DataBufferFactory factory;
    protected ReadOptions options;
    protected String header;
    protected long size;
    protected MediaType fileType;
    protected MediaType contentType;
    protected long contentLength;
    protected Flux<DataBuffer> body;
}
