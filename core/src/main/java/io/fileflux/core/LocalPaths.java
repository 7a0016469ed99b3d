package io.fileflux.core;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Objects;

/**
 * The one rule for paths: Fileflux reads and writes files of the default file system only. A path of
 * another provider (a zip file system, an in-memory one) is refused, never re-resolved as a host path by
 * its string, which would silently name a different file.
 *
 * <p>Threading: stateless; thread-safe.
 */
public final class LocalPaths {

    private LocalPaths() {
    }

    /**
     * Returns {@code path} if it belongs to the default file system.
     *
     * @throws NullPointerException      if {@code path} is null
     * @throws ProviderMismatchException if it belongs to another file system provider
     */
    public static Path require(Path path) {
        Objects.requireNonNull(path, "path");
        if (path.getFileSystem().provider() != FileSystems.getDefault().provider()) {
            throw new ProviderMismatchException("Fileflux reads and writes files of the default file system only; "
                    + path + " belongs to " + path.getFileSystem().provider().getScheme() + ":"
                    + " copy it to a local file first, or use that file system's own API");
        }
        return path;
    }
}
