package io.fileflux.reactor.tail;

import io.fileflux.core.EngineStats;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An engine that remembers every device it handed out, so that a test can wait until the tail
 * <em>holds</em> a file: a device of that identity was returned by {@link #open} (the tail keeps every
 * device its probe is handed, or already holds one of that identity) and is not closing.
 *
 * <p>A descriptor on the file's inode is not that proof: the nio engine opens a channel, then compares
 * the identity at the path and, if the path was rotated in between, closes the channel and opens again
 * (java.nio has no fstat on a channel). A writer that rotates as soon as it sees that transient
 * descriptor rotates a file the tail never held.
 */
final class RecordingEngine implements FileEngine {

    private final FileEngine delegate;
    private final ConcurrentLinkedQueue<FileDevice> opened = new ConcurrentLinkedQueue<>();

    RecordingEngine(FileEngine delegate) {
        this.delegate = delegate;
    }

    /** True if a device of {@code id} was handed out and is not closing. */
    boolean holds(FileIdentity id) {
        return opened.stream().anyMatch(d -> d.identity().equals(id) && !d.isClosing());
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public FileDevice open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        FileDevice d = delegate.open(path, options, attributes);
        opened.add(d);
        return d;
    }

    @Override
    public EngineStats stats() {
        return delegate.stats();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
