package io.fileflux.reactor.tail.many;

import java.nio.file.Path;

/**
 * A change in the set of files a {@link TailAll} follows, reported to
 * {@link TailAllOptions#onFileEvent}. Immutable.
 *
 * @param kind   what happened
 * @param path   the file: the path it was found at (see {@link FileLine#path()})
 * @param detail a short human-readable reason (an error message, the age, the path a finished file was
 *               last matched at when it differs), or empty
 */
public record FileSetEvent(Kind kind, Path path, String detail) {

    /** The kinds of event. */
    public enum Kind {
        /**
         * A file not followed yet (by identity) matched, and its reader starts; {@code detail} is where it
         * starts. Once per file, however it is renamed within the globs; again only if its reader ended
         * (finished, too old, failed, or it found another file at the path than the rescan had: renamed
         * away between the two, it is followed again where the next rescan finds it).
         */
        FOLLOWING,
        /**
         * The file left the matched set (deleted, or renamed to a name the globs do not match or one they
         * exclude), was read to its end and stayed quiet for the rotation grace period: no longer followed.
         */
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
