package io.fileflux.spring.webflux;

import io.fileflux.reactor.ReadOptions;
import java.util.Objects;

/**
 * How files are served: the Fileflux read options of streamed bodies, the {@link TransferStrategy} that picks
 * zero-copy or streaming per response, who is told of each choice, how bodies are adjusted, and whether
 * directories are listed. Immutable; the {@code with...} methods return a copy.
 *
 * @param readOptions  chunk size, reads in flight, engine and buffer mode of streamed bodies (a
 *                     {@code pooled} mode with one pool per server is recommended)
 * @param transfer     zero-copy or Fileflux, per response
 * @param listener     told of every choice (metrics, tests)
 * @param customizer   adjusts file bodies
 * @param listing      whether a directory is answered with an HTML listing ({@code false}: 404)
 */
public record FileServingOptions(ReadOptions readOptions, TransferStrategy transfer, TransferListener listener,
                                 FileBodyCustomizer customizer, boolean listing) {

    /** Checks the components. */
    public FileServingOptions {
        Objects.requireNonNull(readOptions, "readOptions");
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(customizer, "customizer");
    }

    /**
     * Fileflux's default read options, {@link TransferStrategy#auto()}, no listener, no customizer, listings
     * off.
     */
    public static FileServingOptions defaults() {
        return new FileServingOptions(ReadOptions.defaults(), TransferStrategy.auto(), TransferListener.NONE,
                FileBodyCustomizer.NONE, false);
    }

    /** With these read options. */
    public FileServingOptions withReadOptions(ReadOptions readOptions) {
        return new FileServingOptions(readOptions, transfer, listener, customizer, listing);
    }

    /** With this transfer strategy. */
    public FileServingOptions withTransfer(TransferStrategy transfer) {
        return new FileServingOptions(readOptions, transfer, listener, customizer, listing);
    }

    /** With this listener. */
    public FileServingOptions withListener(TransferListener listener) {
        return new FileServingOptions(readOptions, transfer, listener, customizer, listing);
    }

    /** With this customizer. */
    public FileServingOptions withCustomizer(FileBodyCustomizer customizer) {
        return new FileServingOptions(readOptions, transfer, listener, customizer, listing);
    }

    /** With directory listings on or off. */
    public FileServingOptions withListing(boolean listing) {
        return new FileServingOptions(readOptions, transfer, listener, customizer, listing);
    }
}
