package io.fileflux.samples.server;

import io.fileflux.core.FileEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What the file server serves and how it reads. Immutable.
 *
 * @param root       the directory served (a real path: symbolic links resolved)
 * @param engine     the Fileflux engine every file is read through
 * @param chunkSize  bytes per read and per response buffer
 * @param inFlight   reads in flight per response
 * @param compare    also mount Spring's own file handling under {@code /_compare/} (for benchmarks)
 * @param heartbeat  how often a live tail ({@code /_fileflux/tail/}) sends a comment to keep proxies from
 *                   closing an idle stream
 */
public record FileServerSettings(Path root, FileEngine engine, int chunkSize, int inFlight, boolean compare,
                                 Duration heartbeat) {

    /** The default heartbeat of live tails: 15 s. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);

    public FileServerSettings {
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (heartbeat.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeat must be >= 1 ms, was " + heartbeat);
        }
    }

    /** With the default heartbeat. */
    public FileServerSettings(Path root, FileEngine engine, int chunkSize, int inFlight, boolean compare) {
        this(root, engine, chunkSize, inFlight, compare, DEFAULT_HEARTBEAT);
    }

    /** The same settings with another heartbeat. */
    public FileServerSettings withHeartbeat(Duration heartbeat) {
        return new FileServerSettings(root, engine, chunkSize, inFlight, compare, heartbeat);
    }
}
