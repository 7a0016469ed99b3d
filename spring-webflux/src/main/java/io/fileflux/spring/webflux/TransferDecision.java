package io.fileflux.spring.webflux;

import java.util.Objects;

/**
 * A {@link TransferStrategy}'s choice for one response, with the reason (for the debug log and for
 * {@link TransferListener}s). Immutable.
 *
 * @param transfer how the body is sent
 * @param reason   why, in a few words ({@code "plain HTTP/1.1"}, {@code "TLS"}, {@code "multipart ranges"})
 */
public record TransferDecision(Transfer transfer, String reason) {

    /** Checks the components. */
    public TransferDecision {
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(reason, "reason");
    }

    /** Zero-copy, for this reason. */
    public static TransferDecision zeroCopy(String reason) {
        return new TransferDecision(Transfer.ZERO_COPY, reason);
    }

    /** Streamed through Fileflux, for this reason. */
    public static TransferDecision stream(String reason) {
        return new TransferDecision(Transfer.STREAM, reason);
    }
}
