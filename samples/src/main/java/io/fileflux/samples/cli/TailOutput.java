package io.fileflux.samples.cli;

import io.fileflux.reactor.tail.TailEvent;
import io.fileflux.reactor.tail.many.FileSetEvent;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * The printing side of {@code fileflux tail}, in one of two modes.
 * <ul>
 *   <li><b>Queued</b> ({@link #TailOutput(int, Runnable)}; lines): items come from the tail's threads
 *   through a queue bounded by the demand the main thread grants ({@link #WINDOW} at a time), so a slow
 *   terminal slows reading instead of filling memory; the main thread prints them, prints events on
 *   standard error, and after every flush of standard output runs the {@code save} step, so a checkpoint
 *   only ever covers what reached standard output: whenever the queue drains, and at least every second
 *   or {@value #SAVE_EVERY_ITEMS} items under a backlog.</li>
 *   <li><b>On delivery</b> ({@link #onDelivery}; one file's chunks, each a whole read): the tail's
 *   delivery thread prints each chunk, flushes and runs the save step itself, then asks for the next, and
 *   prints events in their place among the chunks. A written line then wakes two threads (the watcher
 *   that reads it, the delivery thread that prints it) instead of three, which matters on a busy machine:
 *   lines written just before a copytruncate rotation truncates the file are lost unless read in time.
 *   The main thread only waits for the end.</li>
 * </ul>
 *
 * <p>Ctrl-C or SIGTERM runs a shutdown hook that, if standard output can be flushed within
 * {@link #SHUTDOWN_WAIT_MS} ms, runs the save step, then cancels the tail; a stalled pipe reader leaves
 * the checkpoint where it was. When standard output is a pipe whose reader has gone ({@code | head}),
 * the loop ends at once ({@link StdoutClosed}) with status 141, as a shell reports SIGPIPE.
 *
 * <p>Threading: {@link #run} on the main thread; the subscriber's signals on the tail's threads
 * enqueue (queued mode) or print under the output lock (on delivery).
 */
final class TailOutput<T> {

    /** Items granted to the tail at a time. */
    static final int WINDOW = 1024;
    /** Under a backlog, stdout is flushed and the checkpoint saved at least this often... */
    static final long SAVE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** ...and at least every this many items. */
    static final int SAVE_EVERY_ITEMS = 10_000;
    /** How long the shutdown hook waits for the output lock, then for the flush of standard output. */
    static final long SHUTDOWN_WAIT_MS = 2000;

    private static final Object END = new Object();
    private static final Object CLOSED = new Object();

    /** Prints one item (with {@link #write}); may keep it to acknowledge in the save step. */
    interface Printer<T> {
        void print(T item) throws IOException;
    }

    final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    final OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    /** Held while writing or flushing standard output (which blocks when the reader stalls). */
    final ReentrantLock outLock = new ReentrantLock();
    private final int window;
    private final Runnable save;
    private final boolean onDelivery;
    private final Subscriber subscriber = new Subscriber();
    /** The printer {@link #run} was given (read by the delivery thread in the on-delivery mode). */
    private volatile Printer<T> printer;

    /**
     * Queued mode: the main thread prints.
     *
     * @param window items requested at a time
     * @param save   runs after each flush of standard output (saves or acknowledges checkpoints); may be null
     */
    TailOutput(int window, Runnable save) {
        this(window, save, false);
    }

    private TailOutput(int window, Runnable save, boolean onDelivery) {
        this.window = window;
        this.save = save;
        this.onDelivery = onDelivery;
    }

    /**
     * On-delivery mode: the tail's delivery thread prints each item, flushes, runs {@code save} and asks for
     * the next; at most {@code window} items are granted ahead.
     */
    static <T> TailOutput<T> onDelivery(int window, Runnable save) {
        return new TailOutput<>(window, save, true);
    }

    /**
     * An event from the tail's event listeners, printed on standard error in order with the items: queued
     * (queued mode), or printed at once after what standard output holds is flushed (on delivery).
     */
    void event(Object e) {
        if (!onDelivery) {
            queue.add(e);
            return;
        }
        outLock.lock();
        try {
            out.flush();
        } catch (IOException ex) {
            // standard output gone: the next item's write reports it
        } finally {
            outLock.unlock();
        }
        System.err.println("fileflux tail: " + describe(e));
    }

    /** On the delivery thread: prints, flushes and saves one item, then asks for the next one. */
    private void printNow(T item) throws IOException {
        outLock.lock();
        try {
            printer.print(item);
            flushAndSave();
        } finally {
            outLock.unlock();
        }
    }

    /** Writes bytes to standard output under the output lock. */
    void write(byte[] b, int off, int len) throws IOException {
        outLock.lock();
        try {
            out.write(b, off, len);
        } finally {
            outLock.unlock();
        }
    }

    /** Subscribes to {@code tail} and prints its items until it ends, stdout closes, or an error. */
    int run(Flux<T> tail, Printer<T> printer) throws Exception {
        Thread hook = new Thread(() -> {
            shutdownFlush();
            subscriber.dispose();
        }, "fileflux-tail-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StdoutClosed stdoutClosed = StdoutClosed.watch(() -> queue.add(CLOSED));
        this.printer = printer;
        tail.subscribe(subscriber);
        long taken = 0;
        long sinceSave = 0;
        long lastSave = System.nanoTime();
        try {
            for (;;) {
                Object o = queue.poll();
                if (o == null) {
                    flushAndSave(); // only what is already on standard output is saved
                    sinceSave = 0;
                    lastSave = System.nanoTime();
                    o = queue.take();
                }
                if (o == END) {
                    break;
                }
                if (o == CLOSED) {
                    return CatCommand.EXIT_BROKEN_PIPE;
                }
                if (o instanceof Throwable t) {
                    throw t instanceof Exception e ? e : new RuntimeException(t);
                }
                if (o instanceof TailEvent || o instanceof FileSetEvent) {
                    System.err.println("fileflux tail: " + describe(o));
                    continue;
                }
                if (++taken % Math.max(1, window / 2) == 0) {
                    subscriber.request(Math.max(1, window / 2));
                }
                @SuppressWarnings("unchecked")
                T item = (T) o;
                printer.print(item);
                if (save != null && (++sinceSave >= SAVE_EVERY_ITEMS || System.nanoTime() - lastSave >= SAVE_EVERY_NANOS)) {
                    flushAndSave(); // a backlog: do not wait for the queue to drain
                    sinceSave = 0;
                    lastSave = System.nanoTime();
                }
            }
            flushAndSave();
            return 0;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Broken pipe")) {
                return CatCommand.EXIT_BROKEN_PIPE;
            }
            throw e;
        } finally {
            subscriber.dispose();
            stdoutClosed.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs
            }
        }
    }

    /** Flushes standard output, then runs the save step: it covers only items already written out. */
    void flushAndSave() throws IOException {
        outLock.lock();
        try {
            out.flush();
            if (save != null) {
                save.run();
            }
        } finally {
            outLock.unlock();
        }
    }

    /**
     * From the shutdown hook: never waits unboundedly. Takes the output lock (the main thread holds it
     * while blocked in a write to a stalled pipe) and flushes, each within {@link #SHUTDOWN_WAIT_MS};
     * the save step runs only if the flush completed, so a checkpoint never covers items that did not
     * reach standard output. Otherwise the JVM exits with the checkpoint where it was (at-least-once).
     */
    private void shutdownFlush() {
        try {
            if (!outLock.tryLock(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS)) {
                return; // blocked writing: stdout is stalled, nothing more gets out
            }
        } catch (InterruptedException e) {
            return;
        }
        try {
            CountDownLatch flushed = new CountDownLatch(1);
            Thread flusher = new Thread(() -> {
                try {
                    out.flush();
                    flushed.countDown();
                } catch (IOException e) {
                    // stdout gone: nothing to save it for
                }
            }, "fileflux-tail-shutdown-flush");
            flusher.setDaemon(true);
            flusher.start();
            if (flushed.await(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS) && save != null) {
                save.run();
            }
        } catch (InterruptedException | RuntimeException e) {
            // exiting anyway; the checkpoint stays where it was
        } finally {
            outLock.unlock();
        }
    }

    static String describe(Object event) {
        if (event instanceof FileSetEvent f) {
            switch (f.kind()) {
                case WAITING:
                    return f.path() + ": too many files followed (" + f.detail() + "); waiting for one to end";
                case FAILED:
                    return "cannot follow " + f.path() + ": " + f.detail() + "; retrying";
                case FINISHED:
                    return f.path() + " has been removed and read to its end; no longer following it";
                case TOO_OLD:
                    return f.path() + ": older than --max-age (" + f.detail() + "); not following it";
                default:
                    return f.toString();
            }
        }
        TailEvent e = (TailEvent) event;
        switch (e.kind()) {
            case ROTATED:
                return e.path() + " has been replaced; following new file";
            case TRUNCATED:
                return e.path() + ": file truncated";
            case WAITING:
                return "cannot open '" + e.path() + "' for reading (missing, or not readable): retrying";
            case APPEARED:
                return "'" + e.path() + "' has appeared;  following new file";
            case REWRITTEN:
                return e.path() + ": file truncated and written again past offset " + e.offset()
                        + "; reading it from the beginning";
            case MISSED:
                return e.path() + ": a file was created there and replaced before it could be read; its lines"
                        + " were not read";
            case MISSING:
                return e.path() + " has become inaccessible: No such file or directory";
            case RESUMED_ROTATED:
                return "resuming in rotated file " + e.path() + " at offset " + e.offset();
            case CHECKPOINT_LOST:
                return e.path() + ": checkpoint's file gone or truncated; starting at the beginning";
            case SKIPPED:
                return e.path() + ": too many rotated files behind (--max-pending); skipped one of " + e.offset()
                        + " bytes (" + e.identity() + ")";
            case UNTRACKABLE:
                return "'" + e.path() + "' has been replaced with an untrackable file; "
                        + "reading the old file until a regular file is there again";
            default:
                return e.toString();
        }
    }

    /** Hands the tail's signals to the queue. */
    private final class Subscriber extends BaseSubscriber<T> {
        @Override
        protected void hookOnSubscribe(Subscription s) {
            s.request(window);
        }

        @Override
        protected void hookOnNext(T item) {
            if (!onDelivery) {
                queue.add(item);
                return;
            }
            try {
                printNow(item);
            } catch (Throwable t) {
                cancel();
                queue.add(t); // the main thread reports it (a broken pipe: status 141)
                return;
            }
            request(1);
        }

        @Override
        protected void hookOnComplete() {
            queue.add(END);
        }

        @Override
        protected void hookOnError(Throwable t) {
            queue.add(t);
        }
    }
}
