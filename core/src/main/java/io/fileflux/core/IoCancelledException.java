package io.fileflux.core;

import java.nio.file.Path;

/**
 * The operation ended because it was cancelled ({@code -ECANCELED} on io_uring,
 * {@code ERROR_OPERATION_ABORTED} on Windows, a detached operation on nio).
 */
public final class IoCancelledException extends FileIoException {

    public IoCancelledException(String operation, Path path, long offset, int errorCode, String errorName) {
        super(operation, path, offset, errorCode, errorName, "(cancelled)");
    }
}
