package io.fileflux.kafka;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.TailLine;
import io.fileflux.reactor.tail.TailOptions;
import io.fileflux.reactor.tail.many.FileLine;
import io.fileflux.reactor.tail.many.TailAllOptions;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * Turns Fileflux tails into {@link SourceLine}s for a {@link KafkaShipper}.
 *
 * <pre>{@code
 * Checkpointer acks = Checkpointer.to(CheckpointStore.file(Path.of("app.ckpt")), Duration.ofSeconds(1));
 * Flux<SourceLine> lines = SourceLines.tail(Path.of("/var/log/app.log"), TailOptions.defaults().checkpointer(acks));
 * }</pre>
 *
 * <p>Lines are decoded as ISO-8859-1 (one char per byte), so a record's value is exactly the line's bytes
 * in the file, whatever its encoding, and its start offset is exact: the offset just past the line minus
 * its length and terminator. Two cases are approximate: a line whose first part ended the previous file
 * (a rotation in the middle of a line) gets offset 0 of the file it ended in, and a piece of a line split
 * because it exceeded the maximum length gets the offset computed back from the checkpoint before the line.
 *
 * <p>Many files: {@link #tail(TailAllOptions)} ships every file a set of globs matches, now and later,
 * through {@code FileFlux.tailAll}; each line carries the start offset the many-files tail computed,
 * the identity of the file it was read from, and its acknowledgement to that file's entry in the
 * options' {@link io.fileflux.reactor.tail.CheckpointRegistry registry}.
 */
public final class SourceLines {

    private SourceLines() {
    }

    /**
     * Follows {@code path} as {@code options} say (rotation, truncation, checkpoints) with lines of at
     * most 1 MiB (longer lines are split), as source lines.
     */
    public static Flux<SourceLine> tail(Path path, TailOptions options) {
        return tail(path, options, LineOptions.DEFAULT_MAX_LINE_LENGTH);
    }

    /** Like {@link #tail(Path, TailOptions)}, with lines of at most {@code maxLineLength} bytes. */
    public static Flux<SourceLine> tail(Path path, TailOptions options, int maxLineLength) {
        LineOptions lines = LineOptions.defaults().charset(StandardCharsets.ISO_8859_1).maxLineLength(maxLineLength);
        return from(path, FileFlux.tailLines(path, options, lines), StandardCharsets.ISO_8859_1);
    }

    /**
     * Follows every file {@code options} select ({@code FileFlux.tailAll}: files created later are
     * found, rotated and deleted files are read to their end), with the lines decoded as ISO-8859-1
     * whatever {@code options} say (so each record's value is exactly the line's bytes and the start
     * offsets are exact), as source lines; acknowledging one advances its file's registry entry.
     */
    public static Flux<SourceLine> tail(TailAllOptions options) {
        Objects.requireNonNull(options, "options");
        TailAllOptions bytes = options.lineOptions(options.lineOptions().charset(StandardCharsets.ISO_8859_1));
        return FileFlux.tailAll(bytes).map(line -> of(line, StandardCharsets.ISO_8859_1));
    }

    /**
     * One line of a many-files tail, whose lines were decoded with {@code charset} (re-encoded with it for
     * the record; exact for ISO-8859-1), as a source line: its path, file identity ("" if unknown), start
     * offset and end (-1 if unknown), and {@link FileLine#ack()} as its acknowledgement.
     */
    public static SourceLine of(FileLine line, Charset charset) {
        Objects.requireNonNull(line, "line");
        byte[] value = line.text().getBytes(charset);
        Checkpoint cp = line.checkpoint();
        if (cp == null) {
            return new SourceLine(line.path(), "", -1, -1, value, line::ack);
        }
        return new SourceLine(line.path(), cp.identity().toString(), Math.min(line.offset(), cp.offset()), cp.offset(),
                value, line::ack);
    }

    /**
     * Source lines of {@code lines}, a tail of {@code path} whose lines were decoded with {@code charset}
     * (re-encoded with it for the record; exact for ISO-8859-1).
     */
    public static Flux<SourceLine> from(Path path, Publisher<TailLine> lines, Charset charset) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(charset, "charset");
        Path absolute = path.toAbsolutePath();
        return Flux.from(lines).map(line -> of(absolute, line, charset));
    }

    /** One line of a tail of {@code path}, decoded with {@code charset}, as a source line. */
    public static SourceLine of(Path path, TailLine line, Charset charset) {
        byte[] value = line.text().getBytes(charset);
        Checkpoint cp = line.checkpoint();
        if (cp == null) {
            return new SourceLine(path, "", -1, -1, value, line::ack);
        }
        long start = Math.max(0, cp.offset() - value.length - line.terminator().text().length());
        return new SourceLine(path, cp.identity().toString(), start, cp.offset(), value, line::ack);
    }
}
