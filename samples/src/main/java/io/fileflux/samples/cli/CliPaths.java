package io.fileflux.samples.cli;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns a file argument into a {@link Path} the way {@code cat} and {@code cp} read theirs:
 * {@code -} is standard input, an empty argument names no file (it is not the current directory),
 * and a trailing slash demands a directory ({@code Path} would silently drop it).
 */
final class CliPaths {

    private CliPaths() {
    }

    /** An input file: {@code -} is standard input; {@code name/} must be a directory (which is then refused). */
    static Path input(String arg) throws FileSystemException {
        if ("-".equals(arg)) {
            return Path.of("/dev/stdin");
        }
        Path p = parse(arg);
        if (endsWithSlash(arg) && Files.exists(p) && !Files.isDirectory(p)) {
            throw new NotDirectoryException(arg);
        }
        return p;
    }

    /** An output path as given; {@code name/} must be an existing directory. */
    static Path output(String arg) throws FileSystemException {
        Path p = parse(arg);
        if (endsWithSlash(arg) && !Files.isDirectory(p)) {
            throw new FileSystemException(arg, null, Files.exists(p) ? "Not a directory"
                    : "cannot create regular file: Not a directory");
        }
        return p;
    }

    private static Path parse(String arg) throws FileSystemException {
        if (arg.isEmpty()) {
            throw new NoSuchFileException("''");
        }
        try {
            return Path.of(arg);
        } catch (InvalidPathException e) {
            throw new FileSystemException(arg, null, "not a valid file name here (" + e.getReason()
                    + "; is the locale's charset able to encode it? try LANG=C.UTF-8)");
        }
    }

    private static boolean endsWithSlash(String arg) {
        return arg.length() > 1 && (arg.endsWith("/") || arg.endsWith(java.io.File.separator));
    }
}
