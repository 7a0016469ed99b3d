package io.fileflux.samples.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.springframework.web.util.UriUtils;

/**
 * Maps a request path onto the served directory, refusing every way out of it: {@code ..} and
 * {@code .} segments (also percent-encoded, {@code %2e%2e}), encoded separators ({@code %2f},
 * {@code %5c}), NUL, and symbolic links whose target lies outside the root. A path ending with {@code /}
 * must be a directory.
 */
final class SafePaths {

    /** The outcome: a file or directory inside the root, or why not. */
    record Resolved(Path path, int status) {
        static final int OK = 200;

        boolean ok() {
            return status == OK;
        }
    }

    private SafePaths() {
    }

    /**
     * @param root    the served directory, a real path
     * @param rawPath the request's raw (still percent-encoded) path
     * @return the real path inside the root, or status 404 (no such file, a path that cannot name one
     *         inside the root, or a path ending with {@code /} that is not a directory) or 403 (a symbolic link
     *         leading outside the root)
     */
    static Resolved resolve(Path root, String rawPath) {
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
                    || segment.indexOf('\\') >= 0 || segment.indexOf('\0') >= 0) {
                return new Resolved(null, 404);
            }
            p = p.resolve(segment);
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
}
