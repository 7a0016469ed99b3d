package io.fileflux.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.MonoSink;

/**
 * One {@link KafkaShipper#ship} subscription: takes lines from the source against a bounded window,
 * sends them on a thread of its own, and acknowledges each line from the producer's completion callback.
 *
 * <p>Threads. {@code onNext} (the source's thread: a Fileflux engine or delivery thread) only queues the
 * line and signals. Everything else — sending (which may block in {@code send()} up to
 * {@code max.block.ms}), requesting more lines, retries, termination — runs in {@link #drain()} on the
 * subscription's send thread, one pass at a time (a WIP counter). Completion callbacks (the producer's
 * network thread, or the send thread when {@code send()} fails at once) acknowledge the line, update the
 * counters, queue a retry or record a failure, and signal.
 *
 * <p>Window. {@code held} counts lines taken from the source and not finished (queued, sent, waiting for a
 * retry); {@code outstanding} counts lines requested and not received. Their sum never exceeds
 * {@code maxInFlight}, and lines are requested in groups of at most {@code batch}, only while the bytes
 * held are below {@code maxBytesInFlight}: an unreachable broker stops the requests, so the file reads
 * stop too.
 *
 * <p>Order. Fresh lines are sent in the order received; a line whose send failed with a retriable error
 * is sent again before any fresh line (retries in receipt order), so a {@code send()} that times out on
 * metadata keeps the file's order. A retriable failure reported asynchronously (a finite
 * {@code delivery.timeout.ms}) is retried too, but later lines may already be on their way.
 */
final class ShipSubscription implements CoreSubscriber<SourceLine> {

    private static final Logger log = LoggerFactory.getLogger(ShipSubscription.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** A line taken from the source, numbered in receipt order. */
    private record Pending(SourceLine line, long seq) {
    }

    private final Producer<byte[], byte[]> producer;
    private final ShipperOptions options;
    private final ShipperStats stats;
    private final MonoSink<Void> sink;
    private final ScheduledThreadPoolExecutor sendThread;
    private final int batch;
    private final long maxBackoffNanos = ShipperOptions.MAX_RETRY_BACKOFF.toNanos();
    private final Queue<Pending> received = new ConcurrentLinkedQueue<>();
    private final PriorityBlockingQueue<Pending> retries =
            new PriorityBlockingQueue<>(16, Comparator.comparingLong(Pending::seq));
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicLong heldBytes = new AtomicLong();
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    volatile int wip;
    private static final AtomicIntegerFieldUpdater<ShipSubscription> WIP =
            AtomicIntegerFieldUpdater.newUpdater(ShipSubscription.class, "wip");

    private volatile Subscription upstream;
    private volatile boolean upstreamDone;
    private volatile boolean cancelled;
    private volatile boolean terminated;
    private volatile long retryAtNanos;
    private volatile long backoffNanos;
    private Throwable upstreamError; // written before upstreamDone

    // the source's serialized onNext only
    private long seq;
    // the send thread only
    private boolean wakeScheduled;

    ShipSubscription(Producer<byte[], byte[]> producer, ShipperOptions options, ShipperStats stats, MonoSink<Void> sink) {
        this.producer = producer;
        this.options = options;
        this.stats = stats;
        this.sink = sink;
        this.batch = Math.max(1, options.maxInFlight() / 4);
        this.backoffNanos = options.retryBackoff().toNanos();
        this.sendThread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fileflux-kafka-send-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        sendThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (upstream != null) {
            s.cancel();
            return;
        }
        upstream = s;
        if (cancelled) {
            s.cancel();
        }
        signal();
    }

    @Override
    public void onNext(SourceLine line) {
        if (terminated || cancelled) {
            outstanding.decrementAndGet();
            return; // not acknowledged: a restart reads it again
        }
        // held first, then outstanding: requestMore (on the send thread) reads outstanding then held, so it
        // never sees the line in neither count and requests one past the window
        held.incrementAndGet();
        outstanding.decrementAndGet();
        heldBytes.addAndGet(line.value().length);
        stats.taken(line.value().length);
        received.offer(new Pending(line, ++seq));
        signal();
    }

    @Override
    public void onError(Throwable t) {
        upstreamError = t;
        upstreamDone = true;
        signal();
    }

    @Override
    public void onComplete() {
        upstreamDone = true;
        signal();
    }

    /** From the result's cancel or dispose: stops taking and sending lines; sends in flight still acknowledge. */
    void cancel() {
        cancelled = true;
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
        signal();
    }

    private void signal() {
        if (WIP.getAndIncrement(this) == 0) {
            try {
                sendThread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // terminated: nothing more to do
            }
        }
    }

    private void drain() {
        int missed = 1;
        for (;;) {
            if (terminated) {
                return;
            }
            if (cancelled) {
                dropUnsent();
                terminate(null, false);
                return;
            }
            Throwable f = failure.get();
            if (f != null) {
                Subscription s = upstream;
                if (s != null) {
                    s.cancel();
                }
                dropUnsent();
                terminate(f, true);
                return;
            }
            sendPending();
            requestMore();
            if (upstreamDone && held.get() == 0) {
                terminate(upstreamError, true);
                return;
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Retries first (once their back-off is over), then fresh lines, until a send fails retriably. */
    private void sendPending() {
        if (!retries.isEmpty()) {
            long wait = retryAtNanos - System.nanoTime();
            if (wait > 0) {
                wakeAfter(wait);
                return;
            }
            Pending p;
            while ((p = retries.poll()) != null) {
                send(p);
                if (!retries.isEmpty()) {
                    return; // failed again: wait for the back-off
                }
            }
        }
        Pending p;
        while (retries.isEmpty() && !cancelled && failure.get() == null && (p = received.poll()) != null) {
            send(p);
        }
    }

    private void requestMore() {
        Subscription s = upstream;
        if (s == null || upstreamDone || !retries.isEmpty() || heldBytes.get() >= options.maxBytesInFlight()) {
            return;
        }
        long out = outstanding.get();
        if (out > batch / 2) {
            return;
        }
        long n = Math.min(batch - out, options.maxInFlight() - held.get() - out);
        if (n > 0) {
            outstanding.addAndGet(n);
            s.request(n);
        }
    }

    private void wakeAfter(long nanos) {
        if (!wakeScheduled) {
            wakeScheduled = true;
            try {
                sendThread.schedule(() -> {
                    wakeScheduled = false;
                    signal();
                }, nanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                wakeScheduled = false;
            }
        }
    }

    private void send(Pending p) {
        SourceLine line = p.line();
        ProducerRecord<byte[], byte[]> record;
        try {
            record = new ProducerRecord<>(options.topicRouter().apply(line.path()), null,
                    options.key().apply(line), line.value(), headers(line));
        } catch (RuntimeException e) { // the router or key function failed: no record to send
            release(p);
            failure.compareAndSet(null, e);
            return;
        }
        long start = System.nanoTime();
        try {
            producer.send(record, (metadata, error) -> completed(p, start, error));
        } catch (RuntimeException e) { // interrupted, closed, not serializable: thrown instead of called back
            completed(p, start, e);
        }
    }

    static List<Header> headers(SourceLine line) {
        return List.of(
                new RecordHeader(KafkaShipper.HEADER_PATH, line.path().toString().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(KafkaShipper.HEADER_IDENTITY, line.identity().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(KafkaShipper.HEADER_OFFSET, Long.toString(line.offset()).getBytes(StandardCharsets.US_ASCII)));
    }

    /** The producer's completion callback: exactly once per send. */
    private void completed(Pending p, long start, Exception error) {
        SourceLine line = p.line();
        if (error == null) {
            backoffNanos = options.retryBackoff().toNanos();
            stats.shipped(line, System.nanoTime() - start);
            acknowledge(p);
        } else if (error instanceof RetriableException && (terminated || cancelled)) {
            stats.sendError();
            release(p); // not shipped and not acknowledged: a restart reads it again
        } else if (error instanceof RetriableException) {
            stats.sendError();
            report(ShipEvent.Kind.RETRYING, line, error);
            long backoff = backoffNanos;
            backoffNanos = Math.min(maxBackoffNanos, backoff * 2);
            retryAtNanos = System.nanoTime() + backoff;
            retries.add(p);
        } else if (rejectsOnlyThisRecord(error) && options.onRejected() == RejectionPolicy.SKIP) {
            stats.countRejected();
            report(ShipEvent.Kind.REJECTED, line, error);
            stats.skipped(line);
            acknowledge(p);
        } else {
            if (rejectsOnlyThisRecord(error)) {
                stats.countRejected();
            }
            report(ShipEvent.Kind.FAILED, line, error);
            failure.compareAndSet(null, new RecordRejectedException(line.path(), line.identity(), line.offset(), error));
            release(p);
        }
        signal();
    }

    private void acknowledge(Pending p) {
        try {
            p.line().ack();
        } catch (RuntimeException e) { // the checkpoint could not be saved: stop rather than run on unrecorded
            failure.compareAndSet(null, e);
        }
        release(p);
    }

    private void release(Pending p) {
        int bytes = p.line().value().length;
        stats.finished(bytes); // before the window opens: the stats never count more than the window
        held.decrementAndGet();
        heldBytes.addAndGet(-bytes);
    }

    /** Lines never sent (or waiting for a retry) at cancel or failure: not acknowledged, read again on restart. */
    private void dropUnsent() {
        Pending p;
        while ((p = received.poll()) != null) {
            release(p);
        }
        while ((p = retries.poll()) != null) {
            release(p);
        }
    }

    /**
     * Errors about one record, which skipping it gets past. Anything else that is not retriable (the
     * producer fenced or closed, a cluster authorization error) would reject every later record too, so
     * it always ends the shipping.
     */
    static boolean rejectsOnlyThisRecord(Throwable e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                || e instanceof TopicAuthorizationException || e instanceof InvalidTopicException
                || e instanceof InvalidRecordException || e instanceof SerializationException;
    }

    private void report(ShipEvent.Kind kind, SourceLine line, Throwable cause) {
        try {
            options.onEvent().accept(new ShipEvent(kind, line.path(), line.identity(), line.offset(),
                    line.value().length, cause));
        } catch (RuntimeException e) {
            log.warn("the shipper's event listener failed on {}", kind, e);
        }
    }

    private void terminate(Throwable error, boolean signalResult) {
        terminated = true;
        sendThread.shutdown(); // this pass is the last task; pending wake-ups are dropped
        if (signalResult) {
            if (error == null) {
                sink.success();
            } else {
                sink.error(error);
            }
        }
    }
}
