package io.fileflux.samples.cli;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import picocli.CommandLine.Option;

/**
 * The {@code --engine} option shared by the subcommands, and the engine a command run owns: created on
 * first use (the named one, or the one {@link Engines#select()} picks) and closed by {@link FilefluxCli#run}
 * when the command returns. An owned engine rather than the shared one, because the shared engine's
 * completion thread sits in a native call until the JVM ends, and the JVM waits 300 ms at exit for threads
 * in native code: a third of a short command's run.
 */
final class EngineOption implements AutoCloseable {

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "io_uring, iocp or nio (default: the best available; see 'fileflux info')")
    String name;

    private FileEngine owned;

    synchronized FileEngine engine() {
        if (owned == null) {
            owned = Engines.create(name != null ? name : Engines.select().name());
        }
        return owned;
    }

    @Override
    public synchronized void close() {
        if (owned != null) {
            owned.close();
            owned = null;
        }
    }
}
