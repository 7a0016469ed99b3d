package io.fileflux.reactor.tail;

import io.fileflux.core.FileIdentity;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a followed file, reported to {@link TailOptions#onEvent} (the CLI prints
 * them like {@code tail -F} does). Immutable.
 *
 * @param kind     what happened
 * @param path     the followed path
 * @param identity the file the tail reads after the event, or the file the event is about where the kind
 *                 says so; null where no file is known
 * @param offset   the offset it reads from after the event, or what the kind says; -1 where unknown
 */
public record TailEvent(Kind kind, Path path, @Nullable FileIdentity identity, long offset) {

    /** The kinds of event. */
    public enum Kind {
        /**
         * The old file was read to its end; the tail continues with the next generation seen at the path
         * (the file now at the path, or one that has been rotated away since it was seen there).
         */
        ROTATED,
        /**
         * The file shrank below the offset read; the tail restarts at 0 ({@link TruncationPolicy#RESTART}).
         * When the copy a {@code copytruncate} rotation made just before (a recent file beside the path,
         * {@code app.log.1}, holding the bytes the tail read last at the offset read) is found, the tail first
         * reads the rest from the copy: {@code identity} is then the copy's and {@code offset} the offset read,
         * where it continues in the copy; the file follows from 0 without another event. (Also after
         * {@link #REWRITTEN}'s detection.) Bytes written between the copy and the truncation are in neither.
         */
        TRUNCATED,
        /**
         * The file was truncated and written again up to or past the offset read between two looks of the
         * tail, so its size never showed the truncation: the last bytes read before the offset changed
         * (each read reads them again and compares). The tail restarts at 0 of the new content
         * ({@link TruncationPolicy#RESTART}; under {@code FAIL} the tail fails with
         * {@link TruncatedFileException}). {@code offset} is the offset read when it was seen: what was
         * written to the old content past it, before the truncation, was never read.
         */
        REWRITTEN,
        /** The path names no file any more; the tail keeps reading the old one and waits for a new one. */
        MISSING,
        /** Resuming from a checkpoint found its file under another name (rotated while stopped). */
        RESUMED_ROTATED,
        /**
         * Resuming from a checkpoint could not find its file, or found it truncated: the tail starts at 0
         * of the file at the path. Bytes written to the lost file after the checkpoint cannot be read.
         */
        CHECKPOINT_LOST,
        /**
         * More rotated files waited to be read than {@link TailOptions#maxPendingFiles()}: the oldest one
         * waiting was closed unread. {@code identity} is that file, {@code offset} its size then (the
         * bytes lost), or -1 if unknown. The tail goes on with the next waiting file.
         */
        SKIPPED,
        /**
         * The path now names something that cannot be followed (a directory, a device, a FIFO): the
         * tail keeps reading the file it has, and keeps looking at the path; a regular file appearing
         * there later is followed as a rotation. Reported once until the path changes again.
         */
        UNTRACKABLE,
        /**
         * A tail that follows the path ({@link TailOptions#followRotation}) started while the path names
         * no file, or a file it may not read: it retries every poll interval (and on notifications)
         * instead of failing, like {@code tail -F}. {@code identity} null, {@code offset} -1. Reported
         * again only if the reason changes.
         */
        WAITING,
        /** After {@link #WAITING}: a readable file is at the path now; it is followed from offset 0. */
        APPEARED,
        /**
         * The path changed identity more than once between two looks of the tail: a generation was
         * created at the path and rotated away (or deleted) before the tail could open it, so its bytes
         * were never read. One event per generation missed; {@code identity} null and {@code offset} -1
         * (neither is known: the file was never opened). Seen through file-change notifications only
         * (a tail that polls cannot count what it did not see).
         */
        MISSED
    }

    @Override
    public String toString() {
        return kind + " " + path + " " + identity + "@" + offset;
    }
}
