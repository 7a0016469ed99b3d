package io.fileflux.reactor.tail;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Tracks which items of a tail the consumer has acknowledged and advances the committed checkpoint —
 * and the {@link CheckpointStore}, if any — only over acknowledged items, in order. Items acknowledged
 * out of order (after a {@code flatMap}) are held until every earlier item is acknowledged too, so the
 * committed checkpoint never skips an unprocessed item: a restart from it re-delivers at least every
 * unacknowledged item and nothing acknowledged before it (at-least-once, no skips).
 *
 * <pre>{@code
 * Checkpointer acks = Checkpointer.to(CheckpointStore.file(Path.of("app.log.ckpt")));
 * FileFlux.tailLines(log, TailOptions.defaults().checkpointer(acks), LineOptions.defaults())
 *         .concatMap(line -> send(line).doOnSuccess(v -> line.ack()))
 *         .subscribe();
 * }</pre>
 *
 * <p>Every emitted item must be acknowledged, including items the consumer decides to drop, or the
 * checkpoint stops at the first one that is not.
 *
 * <p>Threading: thread-safe; {@code ack} may be called from any thread. With a store, a save runs on
 * the acknowledging thread (a temp-file write, force and rename), either on every acknowledgement
 * (the default) or at most once per {@code saveInterval}, plus on {@link #flush()} and {@link #close()}.
 * Ownership: one tail subscription at a time; a new subscription starts a new session and
 * acknowledgements of an older session's items are ignored.
 */
public final class Checkpointer implements AutoCloseable {

    private final CheckpointStore store;
    private final long saveIntervalNanos;

    // guarded by this
    private Checkpoint committed;
    private Checkpoint saved;
    private long lastSaveNanos;
    private Session session;

    private Checkpointer(CheckpointStore store, Duration saveInterval, Checkpoint initial) {
        this.store = store;
        this.saveIntervalNanos = saveInterval == null ? Long.MAX_VALUE : saveInterval.toNanos();
        this.committed = initial;
        this.saved = initial;
        this.lastSaveNanos = System.nanoTime();
    }

    /** Keeps the committed checkpoint in memory only, starting from {@code initial} (may be null). */
    public static Checkpointer inMemory(@Nullable Checkpoint initial) {
        return new Checkpointer(null, Duration.ZERO, initial);
    }

    /** Loads the checkpoint of {@code store} and saves every acknowledged advance to it. */
    public static Checkpointer to(CheckpointStore store) {
        return to(store, Duration.ZERO);
    }

    /**
     * Loads the checkpoint of {@code store} and saves acknowledged advances at most once per
     * {@code saveInterval} ({@link Duration#ZERO}: on every acknowledgement; null: only on
     * {@link #flush()} and {@link #close()}). A crash loses at most the advances not saved yet, which
     * are then re-delivered, never skipped.
     */
    public static Checkpointer to(CheckpointStore store, @Nullable Duration saveInterval) {
        Objects.requireNonNull(store, "store");
        if (saveInterval != null && saveInterval.isNegative()) {
            throw new IllegalArgumentException("saveInterval must be >= 0, was " + saveInterval);
        }
        return new Checkpointer(store, saveInterval, store.load().orElse(null));
    }

    /** The checkpoint after the last item acknowledged in order (saved or not), or empty. */
    public synchronized Optional<Checkpoint> committed() {
        return Optional.ofNullable(committed);
    }

    /** Saves the committed checkpoint now if the store is behind it. */
    public synchronized void flush() {
        if (store != null && committed != null && !committed.equals(saved)) {
            store.save(committed);
            saved = committed;
            lastSaveNanos = System.nanoTime();
        }
    }

    /** {@link #flush()}; the checkpointer stays usable. */
    @Override
    public void close() {
        flush();
    }

    /** Starts a session for a new subscription; earlier sessions' acknowledgements are ignored. */
    synchronized Session begin() {
        session = new Session(this);
        return session;
    }

    synchronized void ack(Session s, long seq, Checkpoint checkpoint) {
        if (s != session || seq <= s.committedSeq) {
            return;
        }
        if (seq != s.committedSeq + 1) {
            s.early.put(seq, checkpoint);
            return;
        }
        s.committedSeq = seq;
        Checkpoint c = checkpoint;
        while (!s.early.isEmpty() && s.early.firstKey() == s.committedSeq + 1) {
            Checkpoint v = s.early.pollFirstEntry().getValue();
            if (v != null) {
                c = v;
            }
            s.committedSeq++;
        }
        if (c != null) {
            committed = c;
        }
        if (store != null) {
            long now = System.nanoTime();
            if (saveIntervalNanos == 0 || (saveIntervalNanos != Long.MAX_VALUE
                    && now - lastSaveNanos >= saveIntervalNanos)) {
                flush();
            }
        }
    }

    @Override
    public String toString() {
        return "Checkpointer[" + (store != null ? store : "memory") + ", committed=" + committed + "]";
    }

    /**
     * One subscription's sequence of items. {@link #next()} is called by the publisher's serialized
     * emitting thread only; acknowledgements go through the checkpointer's lock.
     */
    static final class Session {
        final Checkpointer owner;
        private long issued;
        // guarded by owner
        long committedSeq;
        final TreeMap<Long, Checkpoint> early = new TreeMap<>();

        Session(Checkpointer owner) {
            this.owner = owner;
        }

        long next() {
            return ++issued;
        }

        void ack(long seq, Checkpoint checkpoint) {
            owner.ack(this, seq, checkpoint);
        }
    }
}
