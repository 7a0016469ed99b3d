package io.fileflux.micrometer;

import io.fileflux.core.FileIdentity;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.TailChunk;
import io.fileflux.reactor.tail.TailEvent;
import io.fileflux.reactor.tail.TailLine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The meters of one tail, made by {@link FilefluxMetrics#tail}: {@code fileflux.tail.events} by kind and
 * {@code fileflux.tail.skipped.bytes}, fed by {@link #listener()}; and {@code fileflux.tail.lag}, the bytes
 * behind the end of the followed file, fed by {@link #progress}.
 *
 * <p>Lag: when the registry reads it, the size of the file at the path minus the offset last reported
 * (by {@link #progress} or an event). If the path names another file than the one last reported — the
 * tail is still reading a rotated file — the whole new file is behind, and the lag is its size (a lower
 * bound: the rest of the rotated file is not counted). Files are compared by identity where the file
 * system reports {@code unix:dev} and {@code unix:ino}; elsewhere the path is taken to name the file
 * read. The gauge is {@code NaN} before anything was reported and while the path names no file.
 *
 * <p>Threading: {@link #listener()} and {@link #progress} may be called from any thread (a tail calls
 * them on its delivery thread); they only record values. The lag is computed on the thread reading the
 * registry (one {@code stat} of the path).
 */
public final class TailMetrics implements AutoCloseable {

    private static final TailEvent.Kind[] KINDS = TailEvent.Kind.values();

    private final FilefluxMetrics owner;
    private final String name;
    private final Path path;
    private final LongAdder[] events = new LongAdder[KINDS.length];
    private final LongAdder skippedBytes = new LongAdder();
    /** Guarded by this: the file and offset last reported, null before the first report. */
    private FileIdentity identity;
    private long offset = -1;
    /** Guarded by this. */
    private final Map<MeterRegistry, List<Meter>> meters = new IdentityHashMap<>();
    private boolean closed;
    private final Consumer<TailEvent> listener = this::event;

    TailMetrics(FilefluxMetrics owner, String name, Path path) {
        this.owner = owner;
        this.name = name;
        this.path = path;
        for (int i = 0; i < events.length; i++) {
            events[i] = new LongAdder();
        }
    }

    /** The tail's name (the {@code tail} tag). */
    public String name() {
        return name;
    }

    /** The listener to give {@code TailOptions.onEvent}: counts each event and takes its file and offset. */
    public Consumer<TailEvent> listener() {
        return listener;
    }

    /** Records that the tail has read {@code chunk}: the lag is measured from its end. */
    public void progress(TailChunk chunk) {
        position(chunk.identity(), chunk.end());
    }

    /** Records that the tail has delivered {@code line}: the lag is measured from its checkpoint. */
    public void progress(TailLine line) {
        progress(line.checkpoint());
    }

    /** Records that the tail has read up to {@code checkpoint}. */
    public void progress(Checkpoint checkpoint) {
        position(checkpoint.identity(), checkpoint.offset());
    }

    /** Events of {@code kind} counted so far. */
    public long events(TailEvent.Kind kind) {
        return events[kind.ordinal()].sum();
    }

    /**
     * The bytes behind the end of the followed file now (see the class comment), or {@code NaN} when
     * unknown.
     */
    public double lag() {
        FileIdentity id;
        long at;
        synchronized (this) {
            id = identity;
            at = offset;
        }
        if (path == null || id == null) {
            return Double.NaN;
        }
        long size;
        FileIdentity atPath;
        try {
            size = Files.size(path);
            atPath = identityAt(path);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        if (atPath != null && !atPath.equals(id)) {
            return size;
        }
        return Math.max(0, size - at);
    }

    /** Removes this tail's meters from every registry; later reports are ignored. */
    @Override
    public void close() {
        Map<MeterRegistry, List<Meter>> bound;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            bound = new IdentityHashMap<>(meters);
            meters.clear();
        }
        bound.forEach(FilefluxMetrics::remove);
        owner.removed(this);
    }

    private void event(TailEvent e) {
        events[e.kind().ordinal()].increment();
        if (e.kind() == TailEvent.Kind.SKIPPED) {
            if (e.offset() > 0) {
                skippedBytes.add(e.offset());
            }
            return; // the skipped file is not the one read
        }
        if (e.identity() != null && e.offset() >= 0) {
            position(e.identity(), e.offset());
        }
    }

    private synchronized void position(FileIdentity id, long end) {
        identity = id;
        offset = end;
    }

    void bindTo(MeterRegistry registry, Tags common) {
        Tags t = common.and("tail", name);
        List<Meter> list = new ArrayList<>();
        for (TailEvent.Kind kind : KINDS) {
            LongAdder count = events[kind.ordinal()];
            list.add(FunctionCounter.builder("fileflux.tail.events", count, LongAdder::sum)
                    .description("Rotations, truncations, skipped files and other events of a tail")
                    .baseUnit("events").tags(t).tag("kind", kind.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        list.add(FunctionCounter.builder("fileflux.tail.skipped.bytes", skippedBytes, LongAdder::sum)
                .description("Bytes of rotated files closed unread because too many waited")
                .baseUnit(BaseUnits.BYTES).tags(t).register(registry));
        if (path != null) {
            list.add(Gauge.builder("fileflux.tail.lag", this, TailMetrics::lag)
                    .description("Bytes of the followed file not read yet").baseUnit(BaseUnits.BYTES).tags(t)
                    .strongReference(true).register(registry));
        }
        boolean remove;
        synchronized (this) {
            remove = closed;
            if (!closed) {
                meters.computeIfAbsent(registry, r -> new ArrayList<>()).addAll(list);
            }
        }
        if (remove) {
            FilefluxMetrics.remove(registry, list); // closed meanwhile
        }
    }

    /** The identity of the file at {@code path} where the file system tells it, else null. */
    private static FileIdentity identityAt(Path path) throws IOException {
        try {
            Map<String, Object> unix = Files.readAttributes(path, "unix:dev,ino");
            return new FileIdentity(((Number) unix.get("dev")).longValue(), ((Number) unix.get("ino")).longValue());
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "TailMetrics[" + name + (path != null ? ", " + path : "") + "]";
    }
}
