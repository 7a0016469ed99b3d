package io.fileflux.spring.webflux;

/** How a file body is sent: see {@link TransferStrategy}. */
public enum Transfer {
    /**
     * Handed to the server's zero-copy path ({@code ZeroCopyHttpOutputMessage.writeWith(Path, position,
     * count)}: {@code sendfile} on Reactor Netty): the bytes never pass through the JVM.
     */
    ZERO_COPY,
    /** Read through Fileflux and written as {@code DataBuffer}s (TLS, HTTP/2, compression, multipart ranges). */
    STREAM
}
