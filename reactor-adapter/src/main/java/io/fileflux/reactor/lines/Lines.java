package io.fileflux.reactor.lines;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Line decoding for any byte stream, such as {@code FileFlux.read(path)}: the {@code readLine} of a
 * {@code BufferedReader}, as a {@link Flux}. For lines of a file with checkpoints, or of a file being
 * followed, use {@code FileFlux.lines} and {@code FileFlux.tailLines}.
 *
 * <pre>{@code
 * long errors = Lines.decode(FileFlux.read(path), LineOptions.defaults())
 *         .filter(l -> l.contains("ERROR")).count().block();
 * }</pre>
 */
public final class Lines {

    private Lines() {
    }

    /**
     * The lines of {@code chunks}, decoded with {@code options}; the last line is emitted at completion
     * even without a terminator. Chunks are requested one at a time as lines are requested, so memory
     * stays bounded by one chunk plus one line. Each subscription gets its own decoder.
     */
    public static Flux<String> decode(Publisher<ByteBuffer> chunks, LineOptions options) {
        Objects.requireNonNull(chunks, "chunks");
        Objects.requireNonNull(options, "options");
        return Flux.defer(() -> {
            LineDecoder decoder = new LineDecoder(options);
            return Flux.from(chunks)
                    .concatMapIterable(chunk -> {
                        List<String> out = new ArrayList<>();
                        decoder.feed(chunk, (text, end) -> out.add(text));
                        return out;
                    }, 1)
                    .concatWith(Flux.defer(() -> Mono.justOrEmpty(decoder.finish())));
        });
    }
}
