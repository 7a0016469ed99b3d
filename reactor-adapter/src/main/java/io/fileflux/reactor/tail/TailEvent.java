package io.fileflux.reactor.tail;

import io.fileflux.core.FileIdentity;
import java.nio.file.Path;

/**
 * Something that happened to a followed file, reported to {@link TailOptions#onEvent} (the CLI prints
 * them like {@code tail -F} does). Immutable.
 *
 * @param kind     what happened
 * @param path     the followed path
 * @param identity the file the tail reads after the event
 * @param offset   the offset it reads from after the event
 */
public record TailEvent(Kind kind, Path path, FileIdentity identity, long offset) {

    /** The kinds of event. */
    public enum Kind {
        /**
         * The old file was read to its end; the tail continues with the next generation seen at the path
         * (the file now at the path, or one that has been rotated away since it was seen there).
         */
        ROTATED,
        /** The file shrank below the offset read; the tail restarts at 0 ({@link TruncationPolicy#RESTART}). */
        TRUNCATED,
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
        UNTRACKABLE
    }

    @Override
    public String toString() {
        return kind + " " + path + " " + identity + "@" + offset;
    }
}
