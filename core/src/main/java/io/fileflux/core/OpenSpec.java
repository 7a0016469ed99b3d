package io.fileflux.core;

import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;

/**
 * The open options of a device, validated once and reduced to flags every engine maps to its own
 * open call. Immutable.
 *
 * @param read      open for reading
 * @param write     open for writing
 * @param create    create the file if it does not exist
 * @param createNew create the file, failing if it exists
 * @param truncate  truncate an existing file to 0 bytes (with {@code write})
 * @param sync      every write also syncs data and metadata ({@code O_SYNC})
 * @param dsync     every write also syncs data ({@code O_DSYNC})
 * @param direct    bypass the page cache ({@code O_DIRECT})
 * @param noFollow  fail if the path is a symbolic link
 */
public record OpenSpec(boolean read, boolean write, boolean create, boolean createNew, boolean truncate,
                       boolean sync, boolean dsync, boolean direct, boolean noFollow) {

    /** Reading only. */
    public static final OpenSpec READ = new OpenSpec(true, false, false, false, false, false, false, false, false);

    /** Validates and reduces {@code options}; an empty set means {@code READ}. */
    public static OpenSpec of(Set<? extends OpenOption> options) {
        Objects.requireNonNull(options, "options");
        boolean read = false, write = false, create = false, createNew = false, truncate = false;
        boolean sync = false, dsync = false, direct = false, noFollow = false;
        for (OpenOption o : options) {
            if (o == StandardOpenOption.READ) {
                read = true;
            } else if (o == StandardOpenOption.WRITE) {
                write = true;
            } else if (o == StandardOpenOption.CREATE) {
                create = true;
            } else if (o == StandardOpenOption.CREATE_NEW) {
                createNew = true;
            } else if (o == StandardOpenOption.TRUNCATE_EXISTING) {
                truncate = true;
            } else if (o == StandardOpenOption.SYNC) {
                sync = true;
            } else if (o == StandardOpenOption.DSYNC) {
                dsync = true;
            } else if (o == FilefluxOption.DIRECT) {
                direct = true;
            } else if (o == LinkOption.NOFOLLOW_LINKS) {
                noFollow = true;
            } else if (o == StandardOpenOption.APPEND) {
                throw new IllegalArgumentException(
                        "APPEND is not supported: devices write at explicit positions (start at size())");
            } else if (o == StandardOpenOption.SPARSE || o == StandardOpenOption.DELETE_ON_CLOSE) {
                throw new IllegalArgumentException("unsupported open option: " + o);
            } else if (o == null) {
                throw new NullPointerException("null open option");
            } else {
                throw new IllegalArgumentException("unsupported open option: " + o);
            }
        }
        if (!read && !write) {
            read = true;
        }
        if (!write && (create || createNew || truncate)) {
            // the same rule java.nio applies: these options only make sense with WRITE
            create = createNew = truncate = false;
        }
        return new OpenSpec(read, write, create, createNew, truncate, sync, dsync, direct, noFollow);
    }
}
