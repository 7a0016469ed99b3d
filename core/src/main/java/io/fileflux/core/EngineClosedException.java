package io.fileflux.core;

import java.nio.file.Path;

/**
 * The operation was in flight when its engine was closed ({@link FileEngine#close()}): it was
 * cancelled, or detached on {@code nio}, and nothing it transferred is reported. The same type and
 * wording on every engine: {@code read failed: PATH at offset N: ENGINE_CLOSED (engine closed)}.
 */
public final class EngineClosedException extends FileIoException {

    /** The {@link #errorName()} of every engine-closed failure. */
    public static final String ERROR_NAME = "ENGINE_CLOSED";

    /**
     * @param operation {@code read}, {@code write} or {@code sync}
     * @param offset    the file offset of the operation, or -1 when it has none
     */
    public EngineClosedException(String operation, Path path, long offset) {
        super(operation, path, offset, 0, ERROR_NAME, "(engine closed)");
    }
}
