package io.fileflux.spring.webflux;

import java.nio.file.Path;

/**
 * Told how each file body is sent, just before it is written: for metrics, and for tests that check which
 * path a response took. Called on the thread that writes the response (a server event loop): it must be
 * quick and must not block. {@link TransferCounters} counts the choices.
 */
@FunctionalInterface
public interface TransferListener {

    /** A listener that does nothing. */
    TransferListener NONE = (file, position, count, decision) -> { };

    /**
     * @param file     the file
     * @param position where the body starts in the file (0 for a whole file or a multipart body)
     * @param count    the number of file bytes sent
     * @param decision how, and why
     */
    void onTransfer(Path file, long position, long count, TransferDecision decision);
}
