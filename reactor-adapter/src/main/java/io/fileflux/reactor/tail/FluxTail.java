package io.fileflux.reactor.tail;

import io.fileflux.core.FileEngine;
import java.nio.file.Path;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * A cold publisher that follows a file like {@code tail -F}. Each subscription is a
 * {@link TailSubscription}; the parts it is made of, each with one job:
 * <ul>
 *   <li>{@link TailStart}: the start-up, an asynchronous {@code Mono} (open, start position, last N
 *       lines, checkpoint resolution, waiting for a missing path);</li>
 *   <li>{@link EndOfFile}: the pure decision at the end of a generation (read on, truncated, next
 *       generation, rotation grace, wait, complete);</li>
 *   <li>{@link PathProbe}: looks at the path for new generations and opens them;</li>
 *   <li>{@link DirectoryWatcher}: file-change notifications, one watcher shared by every tail of a file
 *       system;</li>
 *   <li>{@link Generation} and {@link Fingerprinter}: a held file and the fingerprint of its first bytes.</li>
 * </ul>
 */
final class FluxTail extends Flux<TailChunk> {

    private final Path path;
    private final TailOptions options;
    /** Emit an empty chunk after this long without data (for the line decoder's idle flush), or 0. */
    private final long idleMarkerNanos;
    /** Issue acknowledgements for chunks (false when lines carry them). */
    private final boolean ackChunks;
    /** The inode number the file opened at the path must have ({@link TailStart}), or -1 for any. */
    private final long expectedInode;

    FluxTail(Path path, TailOptions options, long idleMarkerNanos, boolean ackChunks) {
        this(path, options, idleMarkerNanos, ackChunks, -1);
    }

    FluxTail(Path path, TailOptions options, long idleMarkerNanos, boolean ackChunks, long expectedInode) {
        this.path = path.toAbsolutePath();
        this.options = options;
        this.idleMarkerNanos = idleMarkerNanos;
        this.ackChunks = ackChunks;
        this.expectedInode = expectedInode;
    }

    @Override
    public void subscribe(CoreSubscriber<? super TailChunk> actual) {
        FileEngine engine = options.execution().engineOrDefault();
        Checkpointer.Session session = ackChunks && options.checkpointer() != null
                ? options.checkpointer().begin() : null;
        TailSubscription s = new TailSubscription(actual, path, engine, options, idleMarkerNanos, session,
                expectedInode);
        actual.onSubscribe(s);
        s.start();
    }
}
