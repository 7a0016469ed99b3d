package io.fileflux.reactor.tail;

import io.fileflux.core.FileIdentity;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generations a tail holds open while it still reads an older one, oldest first, bounded: every
 * file seen at the path is queued when the probe hands it over; when one more than the bound waits, the
 * oldest waiting one is closed unread and reported ({@link TailEvent.Kind#SKIPPED}, with the bytes it
 * had). Not thread-safe: owned by the subscription's drain.
 */
final class Generations {

    private static final Logger LOG = LoggerFactory.getLogger(Generations.class);

    private final Path path;
    private final int max;
    private final Consumer<TailEvent> events;
    private final ArrayDeque<Generation> waiting = new ArrayDeque<>();

    Generations(Path path, int max, Consumer<TailEvent> events) {
        this.path = path;
        this.max = max;
        this.events = events;
    }

    /** Queues what the probe found, in the order seen; a file already held is closed instead. */
    void take(PathProbe probe, Generation current) {
        Generation g;
        while ((g = probe.found.poll()) != null) {
            probe.foundCount.decrementAndGet();
            if (g.identity.equals(current.identity) || holds(g.identity)) {
                g.close(); // moved back onto the path while we hold it: not read twice
                continue;
            }
            add(g);
        }
    }

    /** Queues {@code g}; beyond the bound, skips the oldest waiting generation. */
    void add(Generation g) {
        waiting.addLast(g);
        if (waiting.size() > max) {
            Generation dropped = waiting.pollFirst();
            long size = dropped.sizeOrUnknown();
            dropped.close();
            LOG.warn("{}: more than {} rotated files wait to be read; skipping {} ({} bytes)", path, max,
                    dropped.identity, size);
            events.accept(new TailEvent(TailEvent.Kind.SKIPPED, path, dropped.identity, size));
        }
    }

    /** Puts {@code g} before every waiting generation: it is older than them (the live file after its copy). */
    void addFirst(Generation g) {
        waiting.addFirst(g);
    }

    private boolean holds(FileIdentity id) {
        for (Generation p : waiting) {
            if (id.equals(p.identity)) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** The oldest waiting generation, or null. */
    Generation peek() {
        return waiting.peekFirst();
    }

    /** Removes and returns the oldest waiting generation (the next to read). */
    Generation poll() {
        return waiting.pollFirst();
    }

    /** The bytes of every waiting generation now (an {@code fstat} each). */
    long bytes() {
        long sum = 0;
        for (Generation p : waiting) {
            sum += Math.max(0, p.sizeOrUnknown());
        }
        return sum;
    }

    /** Closes every waiting generation. */
    void closeAll() {
        waiting.forEach(Generation::close);
        waiting.clear();
    }
}
