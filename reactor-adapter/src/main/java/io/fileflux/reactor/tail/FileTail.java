package io.fileflux.reactor.tail;

import io.fileflux.core.LocalPaths;
import io.fileflux.reactor.internal.TailAccess;
import io.fileflux.reactor.lines.LineDecoder;
import io.fileflux.reactor.lines.LineOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * The factory of the tailing publishers behind {@code FileFlux.tail}, {@code FileFlux.tailLines} and
 * {@code FileFlux.lines} (the only public way in; this class registers itself with
 * {@link TailAccess} when it is initialized).
 *
 * <p>Every subscription starts asynchronously (opening the file and resolving its start position on a
 * bounded-elastic thread, with asynchronous reads for {@link StartAt#lastLines} and checkpoints), reads
 * only against demand with one read in flight, emits serially on the delivery pool or the requesting
 * thread (never on the engine's or the watcher's thread), and closes every file it opened on cancel or
 * termination. A slow consumer slows reading: memory stays bounded by about two chunks (plus one line
 * for lines).
 */
final class FileTail {

    static {
        TailAccess.register(new TailAccess.Tails() {
            @Override
            public Flux<TailChunk> chunks(Path path, TailOptions options) {
                return FileTail.chunks(path, options);
            }

            @Override
            public Flux<TailLine> lines(Path path, TailOptions options, LineOptions lines) {
                return FileTail.lines(path, options, lines);
            }

            @Override
            public Flux<TailLine> linesOfFile(Path path, long inode, TailOptions options, LineOptions lines) {
                return FileTail.linesOfFile(path, inode, options, lines);
            }
        });
    }

    private FileTail() {
    }

    /**
     * The bytes of {@code path}, followed as {@code options} say. Chunks are contiguous within one
     * file; after a {@link TailEvent.Kind#ROTATED rotation} they continue at offset 0 of the new file,
     * after a {@link TailEvent.Kind#TRUNCATED truncation} at offset 0 of the same file.
     */
    static Flux<TailChunk> chunks(Path path, TailOptions options) {
        LocalPaths.require(path);
        Objects.requireNonNull(options, "options");
        return new FluxTail(path, options, 0, true);
    }

    /**
     * The lines of {@code path}, followed as {@code options} say, decoded as {@code lines} says, each
     * with its checkpoint (and acknowledgement, with a {@link TailOptions#checkpointer checkpointer}).
     * A line split across a rotation (the old file ended without a newline) is emitted whole, with the
     * new file's checkpoint. An incomplete last line is held until its newline, until
     * {@link LineOptions#flushIdle} or, when the stream completes, emitted as is.
     */
    static Flux<TailLine> lines(Path path, TailOptions options, LineOptions lines) {
        return lines(path, -1, options, lines);
    }

    /**
     * The lines of the one file with inode number {@code inode} found at {@code path}, as
     * {@link #lines} with {@code followRotation(false)}: that file is opened once and read whatever its
     * name becomes. If the path names another file by the time it is opened (replaced since it was
     * found), the stream fails with a {@link java.nio.file.FileSystemException} and reads nothing.
     */
    static Flux<TailLine> linesOfFile(Path path, long inode, TailOptions options, LineOptions lines) {
        if (inode < 0) {
            throw new IllegalArgumentException("inode must be >= 0, was " + inode);
        }
        Objects.requireNonNull(options, "options");
        return lines(path, inode, options.followRotation(false), lines);
    }

    private static Flux<TailLine> lines(Path path, long inode, TailOptions options, LineOptions lines) {
        LocalPaths.require(path);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(lines, "lines");
        long marker = lines.flushIdle() == null ? 0 : lines.flushIdle().toNanos();
        FluxTail source = new FluxTail(path, options, marker, false, inode);
        Checkpointer checkpointer = options.checkpointer();
        return Flux.defer(() -> {
            LineDecoder decoder = new LineDecoder(lines);
            Checkpointer.Session session = checkpointer != null ? checkpointer.begin() : null;
            LineState st = new LineState();
            return source.concatMapIterable(chunk -> st.decode(decoder, chunk, session), 1)
                    .concatWith(Flux.defer(() -> {
                        String rest = decoder.finish();
                        return rest == null || st.lastChunkEnd == null ? Flux.empty()
                                : Flux.just(new TailLine(rest, decoder.terminator(), st.lastChunkEnd, session));
                    }));
        });
    }

    /** Per-subscription decoding state: the checkpoint of the last complete line and the last chunk's end. */
    private static final class LineState {
        Checkpoint lastLine;
        Checkpoint lastChunkEnd;

        List<TailLine> decode(LineDecoder decoder, TailChunk chunk, Checkpointer.Session session) {
            List<TailLine> out = new ArrayList<>();
            ByteBuffer data = chunk.data();
            if (!data.hasRemaining()) {
                // idle marker: emit the incomplete line held back
                String s = decoder.flush();
                if (s != null) {
                    lastLine = chunk.checkpointAt(chunk.offset());
                    out.add(new TailLine(s, decoder.terminator(), lastLine, session));
                }
                return out;
            }
            decoder.feed(data, (text, end) -> {
                if (end >= 0) {
                    lastLine = chunk.checkpointAt(chunk.offset() + end);
                }
                out.add(new TailLine(text, decoder.terminator(), lastLine, session));
            });
            lastChunkEnd = chunk.checkpoint();
            return out;
        }
    }
}
