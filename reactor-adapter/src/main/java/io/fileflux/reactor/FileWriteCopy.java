package io.fileflux.reactor;

import io.fileflux.core.BufferPool;
import java.nio.file.Path;
import reactor.core.publisher.Mono;

/** A file-to-file copy composed of the read publisher and the write publisher, sharing a buffer pool. */
final class FileWriteCopy {

    /** Bytes per read and per write of a copy. */
    static final int COPY_CHUNK = 1 << 20;

    private FileWriteCopy() {
    }

    static Mono<Long> copy(Path source, Path target, WriteOptions options) {
        return Mono.defer(() -> {
            int depth = options.maxInFlight();
            // reads and writes in flight plus what sits between them: the pool never allocates in steady state
            BufferPool pool = new BufferPool(COPY_CHUNK, 2 * depth + 2);
            ReadOptions read = ReadOptions.defaults().maxInFlight(depth).pooled(pool);
            if (options.engine() != null) {
                read = read.engine(options.engine());
            }
            return FileFlux.write(FileFlux.read(source, read), target, options.pooled(pool));
        });
    }
}
