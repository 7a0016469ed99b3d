package io.fileflux.core;

import java.nio.file.OpenOption;

/** Open options specific to Fileflux devices, passed with the standard ones to {@link FileEngine#open}. */
public enum FilefluxOption implements OpenOption {
    /**
     * Bypass the page cache ({@code O_DIRECT}, {@code FILE_FLAG_NO_BUFFERING}). Buffers, positions
     * and lengths must then be aligned to 4096 bytes; an engine or file system that refuses it fails
     * the open with a clear error.
     */
    DIRECT
}
