package io.fileflux.samples.server;

import io.fileflux.core.FileEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What the file server serves and how it reads. Immutable.
 *
 * @param root          the directory served (a real path: symbolic links resolved)
 * @param engine        the Fileflux engine every file is read through
 * @param chunkSize     bytes per read and per response buffer
 * @param inFlight      reads in flight per response; with {@code chunkSize}, it bounds what a client that
 *                      stops reading holds on the server (see {@link WritableDemand})
 * @param compare       also mount Spring's own file handling under {@code /_compare/} (for benchmarks)
 * @param heartbeat     how often a live tail ({@code /_fileflux/tail/}) sends a comment to keep proxies from
 *                      closing an idle stream
 * @param headerTimeout how long a connection may take to send a request's headers, counted from its opening
 *                      or from the end of its previous response; then it is closed (slow or idle clients)
 * @param transfer      how file bodies are sent: {@code auto} (zero-copy for a whole file or one range over plain
 *                      HTTP/1.1, else through Fileflux), {@code stream} (always Fileflux) or {@code zero-copy}
 */
public record FileServerSettings(Path root, FileEngine engine, int chunkSize, int inFlight, boolean compare,
                                 Duration heartbeat, Duration headerTimeout, String transfer) {

    /** The default heartbeat of live tails: 15 s. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);

    /** The default transfer strategy: zero-copy where it applies, Fileflux where it wins. */
    public static final String DEFAULT_TRANSFER = "auto";

    /** The transfer strategies by name (see {@code io.fileflux.spring.webflux.TransferStrategy.named}). */
    public static final java.util.List<String> TRANSFERS = java.util.List.of("auto", "stream", "zero-copy");

    /** The default time a connection has to send a request's headers: 30 s. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(30);

    public FileServerSettings {
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (heartbeat.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeat must be >= 1 ms, was " + heartbeat);
        }
        if (headerTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("headerTimeout must be >= 1 ms, was " + headerTimeout);
        }
        // checked here by name, not with TransferStrategy.named: this record is loaded by the command line's
        // option defaults, and the non-serve commands must not load Spring classes
        if (!TRANSFERS.contains(Objects.requireNonNull(transfer, "transfer"))) {
            throw new IllegalArgumentException("transfer must be one of " + TRANSFERS + ", was '" + transfer + "'");
        }
    }

    /** With the default transfer ({@code auto}). */
    public FileServerSettings(Path root, FileEngine engine, int chunkSize, int inFlight, boolean compare,
                              Duration heartbeat, Duration headerTimeout) {
        this(root, engine, chunkSize, inFlight, compare, heartbeat, headerTimeout, DEFAULT_TRANSFER);
    }

    /** With the default heartbeat and header timeout. */
    public FileServerSettings(Path root, FileEngine engine, int chunkSize, int inFlight, boolean compare) {
        this(root, engine, chunkSize, inFlight, compare, DEFAULT_HEARTBEAT, DEFAULT_HEADER_TIMEOUT);
    }

    /** The same settings with another heartbeat. */
    public FileServerSettings withHeartbeat(Duration heartbeat) {
        return new FileServerSettings(root, engine, chunkSize, inFlight, compare, heartbeat, headerTimeout, transfer);
    }

    /** The same settings with another header timeout. */
    public FileServerSettings withHeaderTimeout(Duration headerTimeout) {
        return new FileServerSettings(root, engine, chunkSize, inFlight, compare, heartbeat, headerTimeout, transfer);
    }

    /**
     * The same settings with another transfer strategy.
     *
     * @throws IllegalArgumentException for a name other than {@code auto}, {@code stream}, {@code zero-copy}
     */
    public FileServerSettings withTransfer(String transfer) {
        return new FileServerSettings(root, engine, chunkSize, inFlight, compare, heartbeat, headerTimeout, transfer);
    }

    /** The same settings serving another root. */
    FileServerSettings withRoot(Path root) {
        return new FileServerSettings(root, engine, chunkSize, inFlight, compare, heartbeat, headerTimeout, transfer);
    }
}
