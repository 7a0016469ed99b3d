package io.fileflux.reactor.internal;

import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.TailChunk;
import io.fileflux.reactor.tail.TailLine;
import io.fileflux.reactor.tail.TailOptions;
import io.fileflux.reactor.tail.many.FileLine;
import io.fileflux.reactor.tail.many.TailAllOptions;
import java.nio.file.Path;
import reactor.core.publisher.Flux;

/**
 * Not API: how {@code FileFlux}, the one entry point users call, reaches the tail publishers, whose
 * factories are package-private in their own packages ({@code io.fileflux.reactor.tail} and
 * {@code io.fileflux.reactor.tail.many}). Each of those factories registers itself here when its class is
 * initialized, which {@link #tails()} and {@link #manyTails()} trigger on first use; a second registration
 * is ignored. Thread-safe.
 */
public final class TailAccess {

    /** The single-file tail publishers. */
    public interface Tails {
        /** The bytes of a followed file. */
        Flux<TailChunk> chunks(Path path, TailOptions options);

        /** The lines of a followed file. */
        Flux<TailLine> lines(Path path, TailOptions options, LineOptions lines);

        /**
         * The lines of the one file with inode number {@code inode} found at {@code path}, read whatever
         * its name becomes ({@code followRotation(false)}); fails with a
         * {@link java.nio.file.FileSystemException} if the path names another file when it is opened.
         */
        Flux<TailLine> linesOfFile(Path path, long inode, TailOptions options, LineOptions lines);
    }

    /** The many-files tail publisher. */
    public interface ManyTails {
        /** The lines of every file the options select. */
        Flux<FileLine> lines(TailAllOptions options);
    }

    private static volatile Tails tails;
    private static volatile ManyTails manyTails;

    private TailAccess() {
    }

    /** Called once, by the single-file tail's factory. */
    public static synchronized void register(Tails t) {
        if (tails == null) {
            tails = t;
        }
    }

    /** Called once, by the many-files tail's factory. */
    public static synchronized void register(ManyTails m) {
        if (manyTails == null) {
            manyTails = m;
        }
    }

    /** The single-file tail publishers. */
    public static Tails tails() {
        Tails t = tails;
        if (t == null) {
            initialize("io.fileflux.reactor.tail.FileTail");
            t = tails;
        }
        return t;
    }

    /** The many-files tail publisher. */
    public static ManyTails manyTails() {
        ManyTails m = manyTails;
        if (m == null) {
            initialize("io.fileflux.reactor.tail.many.TailAll");
            m = manyTails;
        }
        return m;
    }

    private static void initialize(String factory) {
        try {
            Class.forName(factory, true, TailAccess.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the tail factory " + factory + " is missing from this build", e);
        }
    }
}
