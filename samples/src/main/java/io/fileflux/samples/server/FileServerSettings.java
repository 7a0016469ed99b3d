package io.fileflux.samples.server;

import io.fileflux.core.FileEngine;
import java.nio.file.Path;

/**
 * What the file server serves and how it reads. Immutable.
 *
 * @param root       the directory served (a real path: symbolic links resolved)
 * @param engine     the Fileflux engine every file is read through
 * @param chunkSize  bytes per read and per response buffer
 * @param inFlight   reads in flight per response
 * @param compare    also mount Spring's own file handling under {@code /_compare/} (for benchmarks)
 */
public record FileServerSettings(Path root, FileEngine engine, int chunkSize, int inFlight, boolean compare) {
}
