package io.fileflux.reactor.tail.many;

import io.fileflux.reactor.internal.TailAccess;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * The factory behind {@code FileFlux.tailAll} (the only public way in; this class registers itself with
 * {@link TailAccess} when it is initialized): follows every file matching a set of globs as one stream of
 * lines, like a log shipper's input: files created later are found, files deleted (or renamed to a name
 * that does not match) are read to their end and dropped after the rotation grace period, excluded and
 * too old files are left alone.
 *
 * <pre>{@code
 * CheckpointRegistry registry = CheckpointRegistry.open(Path.of("tail.registry"), Duration.ofDays(7));
 * FileFlux.tailAll(TailAllOptions.of("/var/log/app/*.log").exclude("*.gz").registry(registry, Duration.ofSeconds(1)))
 *         .concatMap(line -> ship(line.path(), line.text()).doOnSuccess(v -> line.ack()))
 *         .subscribe();
 * }</pre>
 *
 * <p><b>Files, not paths.</b> A file is identified by its device and inode number (read by the rescan's
 * {@code stat}; the inode number is the {@link io.fileflux.core.FileIdentity#index() index} of the
 * identity its reader opens), as log shippers do. Each file has one reader: the per-file tail of that
 * file with {@link TailAllOptions#fileOptions} (truncation, chunk size, engine...), opened at the path it
 * was found at, checked to be the file the rescan found there, and read on whatever its name becomes.
 * A file renamed to another matching name ({@code app.log} to {@code app.log.1} under
 * {@code app.log*}) keeps its reader: no second reader, no restart, no line twice. The new file at a
 * path is another file, with a reader of its own from offset 0. So lines of one file arrive in order;
 * lines of different files — a rotated file and the new one included — interleave.
 *
 * <p><b>Fairness.</b> The tails are merged with at most {@link TailAllOptions#maxFiles} subscribed at
 * once, each reading ahead at most {@link TailAllOptions#linesPerFile} lines. The merge hands out lines
 * file by file in turn, resuming after the file it served last, and takes from a file at most what it has
 * queued: a busy file delivers at most {@code linesPerFile} lines before every other file with lines
 * ready has had its turn, and reads more only as its queue is drained, so it cannot starve the others.
 *
 * <p><b>Threads and descriptors.</b> Per subscription: one watcher thread and one {@code WatchService}
 * (one inotify descriptor on Linux, one watch per directory the globs reach), rescans on one
 * bounded-elastic worker; per followed file: one open descriptor (a rotated file still being read is a
 * followed file of its own) and no thread of its own with the default {@code watch(false)} file options
 * (each tail polls on the shared bounded-elastic scheduler and delivers on the shared delivery
 * scheduler). So 1,000 files
 * cost about 1,000 descriptors plus a constant, and a bounded number of threads.
 *
 * <p><b>Checkpoints.</b> With a {@link io.fileflux.reactor.tail.CheckpointRegistry registry}, each file
 * has an entry of its own, keyed by its identity, and resumes from it; acknowledging a {@link FileLine}
 * advances that file's entry (in order, as {@link io.fileflux.reactor.tail.Checkpointer} does). On a
 * restart, a file rotated away to a name that does not match while the tail was stopped is looked for
 * beside the path its entry records and read from its checkpoint to its end.
 */
final class TailAll {

    static {
        TailAccess.register(TailAll::lines);
    }

    private TailAll() {
    }

    /** The lines of every file {@code options} select, as the class comment says. */
    static Flux<FileLine> lines(TailAllOptions options) {
        Objects.requireNonNull(options, "options");
        return FileSetTail.lines(options);
    }
}
