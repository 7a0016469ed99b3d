package io.fileflux.spring.webflux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import org.springframework.web.util.UriUtils;

/**
 * Maps a request path onto a served directory, refusing every way out of it: {@code ..} and {@code .}
 * segments (also percent-encoded, {@code %2e%2e}), encoded separators ({@code %2f}; {@code %5c} where a
 * backslash separates names, on Windows), NUL, and
 * symbolic links whose target lies outside the root. A path ending with {@code /} must be a directory.
 * Stateless; safe from any thread. It reads the file system ({@code lstat}, {@code realpath}): call it where
 * a short metadata call may block.
 */
public final class SafePaths {

    /**
     * Whether a backslash separates names on this file system (Windows): there a segment with one is refused;
     * elsewhere it is an ordinary character of a file name.
     */
    private static final boolean BACKSLASH_SEPARATES = java.io.File.separatorChar == '\\';

    /**
     * The outcome of {@link #resolve}: a file or directory inside the root, or the status to answer.
     *
     * @param path   the real path inside the root, or null when refused
     * @param status 200 (resolved), 404 (no such file, a path that cannot name one inside the root, or a path
     *               ending with {@code /} that is not a directory) or 403 (a symbolic link leading outside
     *               the root)
     */
    public record Resolved(Path path, int status) {

        /** {@link #status()} of a path that resolved. */
        public static final int OK = 200;

        /** Whether the path resolved inside the root. */
        public boolean ok() {
            return status == OK;
        }
    }

    private SafePaths() {
    }

    /**
     * @param root    the served directory, a real path ({@link Path#toRealPath})
     * @param rawPath the request's raw (still percent-encoded) path, starting with {@code /}; null or empty is
     *                the root
     * @return the real path inside the root, or why not
     */
    public static Resolved resolve(Path root, String rawPath) {
        Objects.requireNonNull(root, "root");
        if (rawPath == null || rawPath.isEmpty()) {
            rawPath = "/";
        }
        if (rawPath.charAt(0) != '/') {
            return new Resolved(null, 404);
        }
        Path p = root;
        for (String raw : rawPath.split("/")) {
            if (raw.isEmpty()) {
                continue;
            }
            String segment;
            try {
                segment = UriUtils.decode(raw, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return new Resolved(null, 404);
            }
            if (segment.equals("..") || segment.equals(".") || segment.indexOf('/') >= 0
                    || (BACKSLASH_SEPARATES && segment.indexOf('\\') >= 0) || segment.indexOf('\0') >= 0) {
                return new Resolved(null, 404);
            }
            try {
                p = p.resolve(segment);
            } catch (java.nio.file.InvalidPathException e) {
                return new Resolved(null, 404);
            }
        }
        if (!p.normalize().startsWith(root)) {
            return new Resolved(null, 404);
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return new Resolved(null, 404);
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            // a dangling link, or one looping: nothing to serve
            return new Resolved(null, 404);
        }
        if (!real.startsWith(root)) {
            return new Resolved(null, 403);
        }
        if (rawPath.endsWith("/") && !Files.isDirectory(real)) {
            // "/file.txt/" names a directory: there is none (like a file system's ENOTDIR)
            return new Resolved(null, 404);
        }
        return new Resolved(real, Resolved.OK);
    }

    /**
     * Whether {@code entry}, an entry of a directory inside {@code root}, stays inside the root once its
     * symbolic links are followed. False for a link leading out of the root, and for a dangling or looping one.
     */
    public static boolean staysInside(Path root, Path entry) {
        try {
            return entry.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false;
        }
    }
}
