package io.fileflux.reactor;

import io.fileflux.core.uring.KernelCopy;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A copy made by the kernel ({@link KernelCopy}: {@code copy_file_range}, holes kept) in bounded slices
 * on a worker of Reactor's bounded-elastic scheduler — never an engine thread, never the caller's. Between
 * slices it reports progress and looks for a cancel. When the kernel refuses the pair of files before
 * anything is copied (another file system, a pseudo-file, a FIFO), it cleans up and subscribes to the
 * read/write publisher copy instead.
 *
 * <p>Atomic mode writes a temporary file beside the target (the write publisher's name and publish step),
 * syncs it, and renames it over the target; a failure or cancel closes both files and deletes it.
 */
final class FileKernelCopy extends Mono<Long> {

    private static final Logger LOG = LoggerFactory.getLogger(FileKernelCopy.class);

    /** Bytes per {@code copy_file_range} slice: the longest a cancel waits, about 10 ms of a warm copy. */
    static final long SLICE = 32L << 20;

    private final Path source;
    private final Path target;
    private final WriteOptions options;
    private final long slice;
    private final Supplier<Mono<Long>> fallback;
    private final Scheduler scheduler;

    FileKernelCopy(Path source, Path target, WriteOptions options, long slice, Supplier<Mono<Long>> fallback) {
        this.source = source;
        this.target = target;
        this.options = options;
        this.slice = slice;
        this.fallback = fallback;
        this.scheduler = Schedulers.boundedElastic();
    }

    @Override
    public void subscribe(CoreSubscriber<? super Long> actual) {
        Job job = new Job(actual, this);
        actual.onSubscribe(job);
        job.schedule(job::start);
    }

    /**
     * One copy. Every step runs as a task of one scheduler worker, so the steps are serial and own the
     * file descriptors without a lock; {@link #cancel()} only sets a flag and queues the clean-up step.
     * The result waits for demand in {@link Operators.MonoSubscriber}.
     */
    static final class Job extends Operators.MonoSubscriber<Long, Long> {

        private final FileKernelCopy parent;
        private final Scheduler.Worker worker;
        private final LongConsumer progress;
        private final Disposable.Swap fallbackCopy = Disposables.swap();
        private final boolean createNew;
        private final KernelCopy.Sync sync;

        volatile boolean stop;

        // worker-confined
        private KernelCopy copy;
        private Path temp;
        private boolean ended;

        Job(CoreSubscriber<? super Long> actual, FileKernelCopy parent) {
            super(actual);
            this.parent = parent;
            this.worker = parent.scheduler.createWorker();
            this.progress = parent.options.progress();
            this.createNew = parent.options.mode() == WriteOptions.Mode.CREATE_NEW;
            WriteOptions.Durability d = parent.options.durability();
            if (parent.options.atomic() && d == WriteOptions.Durability.NONE) {
                d = WriteOptions.Durability.DATASYNC; // as the write publisher: a rename publishes synced data
            }
            this.sync = switch (d) {
                case FSYNC -> KernelCopy.Sync.FSYNC;
                case DATASYNC -> KernelCopy.Sync.DATASYNC;
                default -> KernelCopy.Sync.NONE;
            };
        }

        @Override
        public void cancel() {
            super.cancel();
            stop = true;
            fallbackCopy.dispose();
            schedule(this::cleanUp);
        }

        void schedule(Runnable step) {
            try {
                worker.schedule(step);
            } catch (RejectedExecutionException e) {
                // the worker is disposed: the job has ended and cleaned up
            }
        }

        /** Opens the source first (a FIFO never truncates the target), then the target or its temporary file. */
        private void start() {
            if (stop) {
                cleanUp();
                return;
            }
            Path target = parent.target;
            try {
                if (!Files.isRegularFile(parent.source)) { // a FIFO or a device: not even opened here
                    switchToFallback();
                    return;
                }
                copy = KernelCopy.openSource(parent.source);
                if (copy == null) {
                    switchToFallback();
                    return;
                }
                Set<PosixFilePermission> perms = parent.options.permissions();
                if (parent.options.atomic()) {
                    if (createNew && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw new FileAlreadyExistsException(target.toString());
                    }
                    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw new java.nio.file.FileSystemException(target.toString(), null, "Is a directory");
                    }
                    if (perms == null && Files.isRegularFile(target)) {
                        perms = Files.getPosixFilePermissions(target); // a replace keeps the replaced file's mode
                    }
                    temp = FileWriteMono.tempBeside(target);
                    copy.openTarget(temp, true, perms);
                } else {
                    copy.openTarget(target, createNew, perms);
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
            schedule(this::slice);
        }

        /** One bounded {@code copy_file_range} slice, then progress, then the next slice or the end. */
        private void slice() {
            if (stop) {
                cleanUp();
                return;
            }
            boolean done;
            try {
                done = copy.copyNext(parent.slice);
            } catch (KernelCopy.Unsupported e) {
                LOG.debug("copy_file_range refused ({}): copying {} with reads and writes", e.errorName(),
                        parent.source);
                try {
                    closeAndDiscard(true);
                } catch (IOException | RuntimeException cleanup) {
                    fail(cleanup);
                    return;
                }
                switchToFallback();
                return;
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
            if (progress != null) {
                try {
                    progress.accept(copy.position());
                } catch (Throwable t) {
                    LOG.warn("progress callback threw for {}", parent.target, t);
                }
            }
            if (!done) {
                schedule(this::slice);
                return;
            }
            long size = copy.size();
            try {
                copy.finish(sync);
                copy.close();
                if (temp != null) {
                    FileWriteMono.WriteSubscriber.publish(temp, parent.target, createNew);
                    temp = null;
                    if (sync != KernelCopy.Sync.NONE && !FileWriteMono.WriteSubscriber.syncDirectoryOf(parent.target)) {
                        LOG.debug("directory of {} not synced", parent.target);
                    }
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
            end();
            complete(size);
        }

        private void switchToFallback() {
            copy = null;
            end();
            if (stop) {
                return;
            }
            fallbackCopy.update(parent.fallback.get().subscribe(this::complete, actual::onError));
        }

        private void fail(Throwable e) {
            try {
                closeAndDiscard(false);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            end();
            if (!stop) {
                actual.onError(e);
            }
        }

        /** After a cancel: close both files, delete the temporary file; no signal (§1.8). */
        private void cleanUp() {
            if (ended) {
                return;
            }
            try {
                closeAndDiscard(false);
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing the cancelled copy of {}", parent.source, e);
            }
            end();
        }

        /**
         * Closes both files and deletes the temporary file; {@code refused}: also deletes a create-new
         * target this copy made (empty), so the fallback copy can create it.
         */
        private void closeAndDiscard(boolean refused) throws IOException {
            KernelCopy c = copy;
            copy = null;
            try {
                if (c != null) {
                    c.close();
                }
            } finally {
                if (temp != null) {
                    Path t = temp;
                    temp = null;
                    Files.deleteIfExists(t);
                } else if (refused && createNew && !parent.options.atomic()) {
                    Files.deleteIfExists(parent.target);
                }
            }
        }

        /** No more steps: the worker goes back to the pool (pending tasks are dropped). */
        private void end() {
            if (!ended) {
                ended = true;
                worker.dispose();
            }
        }
    }
}
