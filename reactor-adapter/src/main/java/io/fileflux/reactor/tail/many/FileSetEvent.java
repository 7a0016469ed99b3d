package io.fileflux.reactor.tail.many;

import java.nio.file.Path;

/**
 * A change in the set of files a {@link TailAll} follows, reported to
 * {@link TailAllOptions#onFileEvent}. Immutable.
 *
 * @param kind   what happened
 * @param path   the file
 * @param detail a short human-readable reason (an error message, the age), or empty
 */
public record FileSetEvent(Kind kind, Path path, String detail) {

    /** The kinds of event. */
    public enum Kind {
        /** The file matched and is followed from now on. */
        FOLLOWING,
        /** The file's path is gone, it was read to its end and stayed quiet for the rotate wait: no longer followed. */
        FINISHED,
        /** The file is older than the maximum age: not followed (or no longer, once read to its end). */
        TOO_OLD,
        /** The bound on files followed at once is reached: the file waits for a followed one to finish. */
        WAITING,
        /**
         * The file could not be followed (e.g. not readable); it is tried again at each rescan and reported
         * again only after it was followed in between.
         */
        FAILED
    }

    @Override
    public String toString() {
        return kind + " " + path + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
