package io.fileflux.reactor.tail;

import io.fileflux.core.FileIdentity;
import java.io.IOException;
import java.nio.file.Path;

/** The followed file shrank below the offset already read, under {@link TruncationPolicy#FAIL}. */
public final class TruncatedFileException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final transient FileIdentity identity;
    private final long offset;
    private final long size;

    public TruncatedFileException(Path path, FileIdentity identity, long offset, long size) {
        super(path + ": file truncated (identity " + identity + ", size " + size + " < offset " + offset + ")");
        this.path = path;
        this.identity = identity;
        this.offset = offset;
        this.size = size;
    }

    public Path path() {
        return path;
    }

    public FileIdentity identity() {
        return identity;
    }

    /** The offset already read when the truncation was seen. */
    public long offset() {
        return offset;
    }

    /** The file's size then. */
    public long size() {
        return size;
    }
}
