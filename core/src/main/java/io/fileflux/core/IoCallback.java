package io.fileflux.core;

import java.io.IOException;

/**
 * Receives the outcome of one device operation: exactly one of the two methods is called, exactly
 * once, on the engine's completion thread (or, for a failure detected at submission, on the
 * submitting thread after {@code read}/{@code write} has returned its {@link IoOperation}).
 *
 * <p>Implementations must not block and should return quickly; they may submit further operations.
 */
public interface IoCallback {

    /** The operation transferred {@code bytes} bytes (0 on a read means end of file). */
    void completed(int bytes);

    /**
     * The operation failed. A {@link FileIoException} carries path, offset and native error;
     * {@link IoCancelledException} reports an operation ended by {@link IoOperation#cancel()}.
     */
    void failed(IOException error);
}
