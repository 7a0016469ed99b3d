package io.fileflux.core.nio;

import io.fileflux.core.EngineProvider;
import io.fileflux.core.EngineStatus;
import io.fileflux.core.FileEngine;

/** Provides the portable {@code nio} engine: available everywhere, chosen last. */
public final class NioEngineProvider implements EngineProvider {

    @Override
    public String name() {
        return NioEngine.NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public EngineStatus probe() {
        return EngineStatus.available(NioEngine.NAME,
                "java.nio AsynchronousFileChannel (a thread pool running blocking reads; cancel is best effort)");
    }

    @Override
    public FileEngine create() {
        return new NioEngine(Math.max(4, Runtime.getRuntime().availableProcessors()));
    }
}
