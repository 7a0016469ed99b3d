package io.fileflux.reactor;

import io.fileflux.core.BufferPool;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import reactor.core.publisher.Mono;

/** A file-to-file copy composed of the read publisher and the write publisher, sharing a buffer pool. */
final class FileWriteCopy {

    /** Bytes per read and per write of a copy. */
    static final int COPY_CHUNK = 1 << 20;

    private FileWriteCopy() {
    }

    static Mono<Long> copy(Path source, Path target, WriteOptions options) {
        return Mono.defer(() -> {
            try {
                checkSource(source, target);
            } catch (IOException e) {
                return Mono.error(e);
            }
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

    /**
     * Fails before the target is opened (and maybe truncated) when the source cannot be copied: missing,
     * unreadable, a directory, or the target itself.
     */
    private static void checkSource(Path source, Path target) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(source, BasicFileAttributes.class);
        if (attrs.isDirectory()) {
            throw new FileSystemException(source.toString(), null, "Is a directory");
        }
        if (!Files.isReadable(source)) {
            throw new AccessDeniedException(source.toString());
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && Files.isSameFile(source, target)) {
            throw new FileSystemException(source.toString(), target.toString(), "source and target are the same file");
        }
    }
}
