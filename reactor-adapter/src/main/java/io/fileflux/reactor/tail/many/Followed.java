package io.fileflux.reactor.tail.many;

import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailLine;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Sinks;

/**
 * One file a {@link FileSetTail} follows, by its {@link FileKey}, from the rescan that found it to the
 * end of its reader.
 *
 * <p>Threading: the final fields are set by the rescan that found the file; the volatile ones are written
 * by the reader's emitting thread ({@link #received}) or by rescans ({@link #current}) and read by the
 * others; the plain ones belong to the rescan worker.
 */
final class Followed {

    final FileKey key;
    /** Where the file was found: the path its reader opens and its lines carry. */
    final Path foundAt;
    final StartAt start;
    /** The registry's entry for the file when it was found, or null. */
    final @Nullable Checkpoint entry;
    /** Where its reader starts, if known (the beginning, a checkpoint), else -1. */
    final long startOffset;
    /** Completed by a rescan to end the reader. */
    final Sinks.Empty<Void> stop = Sinks.empty();
    private final Charset charset;
    /** Lines requested by the merge and not delivered yet. */
    private final AtomicLong outstanding = new AtomicLong();
    // written by the reader's emitting thread, read by rescans
    volatile long lastEmitNanos;
    volatile @Nullable Checkpoint last;
    volatile boolean started;
    volatile @Nullable Throwable error;
    /**
     * The matched path a rescan saw the file at last (written by rescans, read by the acknowledging
     * threads: the path its registry entry records).
     */
    volatile Path current;
    // rescan worker only
    long goneSince;
    boolean stopping;
    FileSetEvent.@Nullable Kind stopReason;
    String stopDetail = "";

    Followed(FileKey key, Path foundAt, Path matched, StartAt start, @Nullable Checkpoint entry, long startOffset,
             Charset charset) {
        this.startOffset = startOffset;
        this.key = key;
        this.foundAt = foundAt;
        this.current = matched;
        this.start = start;
        this.entry = entry;
        this.charset = charset;
    }

    long outstanding() {
        return outstanding.get();
    }

    /** The merge requested {@code n} more lines. */
    void requested(long n) {
        outstanding.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
    }

    /** A line of the reader, as the item of the merged stream. */
    FileLine received(TailLine line) {
        outstanding.decrementAndGet();
        FileLine item = FileLine.of(foundAt, line, last, charset);
        if (line.checkpoint() != null) {
            last = line.checkpoint();
        }
        lastEmitNanos = System.nanoTime();
        return item;
    }

    @Override
    public String toString() {
        return "Followed[" + key + " found at " + foundAt + "]";
    }
}
