package io.fileflux.kafka;

import java.nio.file.Path;

/**
 * Something the shipper reports about one line: a send that will be retried, or a record rejected for
 * good. Delivered to {@link ShipperOptions#onEvent}. Immutable.
 *
 * @param kind     what happened
 * @param path     the line's file
 * @param identity the file's identity
 * @param offset   the line's start offset
 * @param bytes    the line's length in bytes
 * @param cause    the producer's exception
 */
public record ShipEvent(Kind kind, Path path, String identity, long offset, int bytes, Throwable cause) {

    /** The kinds of event. */
    public enum Kind {
        /**
         * A send failed with a retriable error (the broker unreachable past {@code max.block.ms}, a
         * delivery timeout): the line is sent again after a back-off, before any later line.
         */
        RETRYING,
        /** Kafka rejected the line's record for good and {@link RejectionPolicy#SKIP} skipped it. */
        REJECTED,
        /** Kafka rejected the line's record for good and {@link RejectionPolicy#FAIL} ends the shipping. */
        FAILED
    }

    @Override
    public String toString() {
        return kind + " " + path + " " + identity + "@" + offset + " (" + bytes + " bytes): " + cause;
    }
}
