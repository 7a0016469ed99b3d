package io.fileflux.samples.cli;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import picocli.CommandLine.Option;

/** The {@code --engine} option shared by the subcommands. */
final class EngineOption {

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "io_uring, iocp or nio (default: the best available; see 'fileflux info')")
    String name;

    FileEngine engine() {
        return name == null ? Engines.shared() : Engines.shared(name);
    }
}
