package io.fileflux.spring.webflux;

import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link TransferListener} that counts file bodies and their bytes by {@link Transfer}. Thread-safe.
 */
public final class TransferCounters implements TransferListener {

    private final LongAdder zeroCopy = new LongAdder();
    private final LongAdder zeroCopyBytes = new LongAdder();
    private final LongAdder streamed = new LongAdder();
    private final LongAdder streamedBytes = new LongAdder();

    /** Counters at zero. */
    public TransferCounters() {
    }

    @Override
    public void onTransfer(Path file, long position, long count, TransferDecision decision) {
        if (decision.transfer() == Transfer.ZERO_COPY) {
            zeroCopy.increment();
            zeroCopyBytes.add(count);
        } else {
            streamed.increment();
            streamedBytes.add(count);
        }
    }

    /** File bodies handed to the zero-copy path. */
    public long zeroCopy() {
        return zeroCopy.sum();
    }

    /** File bytes handed to the zero-copy path. */
    public long zeroCopyBytes() {
        return zeroCopyBytes.sum();
    }

    /** File bodies streamed through Fileflux. */
    public long streamed() {
        return streamed.sum();
    }

    /** File bytes streamed through Fileflux. */
    public long streamedBytes() {
        return streamedBytes.sum();
    }

    /** The count for one kind of transfer. */
    public long count(Transfer transfer) {
        return transfer == Transfer.ZERO_COPY ? zeroCopy() : streamed();
    }

    @Override
    public String toString() {
        return "TransferCounters[zeroCopy=" + zeroCopy() + ", streamed=" + streamed() + "]";
    }
}
