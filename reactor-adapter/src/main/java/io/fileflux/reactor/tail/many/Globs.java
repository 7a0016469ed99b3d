package io.fileflux.reactor.tail.many;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The include and exclude globs of a file set, compiled: each include glob becomes a root directory
 * (its longest prefix without a wildcard), a depth (the number of names below the root, or unlimited
 * with {@code **}) and a matcher of absolute paths. {@link #scan} lists what the globs match now, each
 * file with its {@link FileKey} (device and inode number, read by the same {@code stat} as its size).
 *
 * <p>Threading: immutable after construction; {@link #scan} may run on any thread (it blocks on
 * directory listings).
 */
final class Globs {

    /** One include glob: where to look, how deep, what matches. */
    private record Root(Path dir, int depth, List<PathMatcher> matchers) {
    }

    /** A regular file a scan found: its path (absolute, normalized), key, size and modification time. */
    record Found(Path path, FileKey key, long size, FileTime modified) {
    }

    /** The attributes one {@code stat} of a listed entry reads (the file's, links followed). */
    private static final String UNIX_ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,isRegularFile,isDirectory";

    private final List<Root> roots = new ArrayList<>();
    private final List<PathMatcher> excludeNames = new ArrayList<>();
    private final List<PathMatcher> excludePaths = new ArrayList<>();

    Globs(List<String> include, List<String> exclude) {
        for (String g : include) {
            roots.add(root(g));
        }
        for (String g : exclude) {
            if (g.indexOf('/') < 0) {
                excludeNames.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
            } else {
                excludePaths.addAll(matchers(absolute(g)));
            }
        }
    }

    /** Rejects an empty glob or one the platform's glob syntax refuses, with a clear message. */
    static void validate(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("a glob must not be empty");
        }
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid glob: " + glob + " (" + e.getMessage() + ")", e);
        }
    }

    private static String absolute(String glob) {
        if (glob.startsWith("/")) {
            return glob;
        }
        String cwd = Path.of("").toAbsolutePath().toString();
        String rel = glob.startsWith("./") ? glob.substring(2) : glob;
        return cwd.endsWith("/") ? cwd + rel : cwd + "/" + rel;
    }

    private static boolean wild(String segment) {
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return true;
            }
        }
        return false;
    }

    /** The glob's matchers: itself and, for each {@code /**}{@code /}, the form where it matches no directory. */
    private static List<PathMatcher> matchers(String glob) {
        List<PathMatcher> m = new ArrayList<>();
        m.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        if (glob.contains("/**/")) {
            m.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.replace("/**/", "/")));
        }
        return m;
    }

    private static Root root(String glob) {
        String abs = absolute(glob);
        String[] segments = abs.substring(1).split("/");
        int firstWild = 0;
        while (firstWild < segments.length && !wild(segments[firstWild])) {
            firstWild++;
        }
        if (firstWild == segments.length) { // no wildcard: one file
            Path p = Path.of(abs).normalize();
            Path parent = p.getParent() == null ? p : p.getParent();
            return new Root(parent, 1, List.of(path -> path.equals(p)));
        }
        StringBuilder dir = new StringBuilder("/");
        for (int i = 0; i < firstWild; i++) {
            dir.append(segments[i]).append('/');
        }
        int depth = segments.length - firstWild;
        for (int i = firstWild; i < segments.length; i++) {
            if (segments[i].contains("**")) {
                depth = Integer.MAX_VALUE;
            }
        }
        return new Root(Path.of(dir.toString()).normalize(), depth, matchers(abs));
    }

    /** True if {@code path} (absolute, normalized) matches an exclude glob. */
    boolean excluded(Path path) {
        Path name = path.getFileName();
        for (PathMatcher m : excludeNames) {
            if (name != null && m.matches(name)) {
                return true;
            }
        }
        for (PathMatcher m : excludePaths) {
            if (m.matches(path)) {
                return true;
            }
        }
        return false;
    }

    /** True if {@code path} (absolute, normalized) matches an include glob and no exclude glob. */
    boolean matches(Path path) {
        for (Root r : roots) {
            for (PathMatcher m : r.matchers()) {
                if (m.matches(path)) {
                    return !excluded(path);
                }
            }
        }
        return false;
    }

    /**
     * Lists the regular files the include globs match now (excluded ones too: the caller reports them)
     * into {@code files}, by absolute normalized path, and every directory visited into {@code dirs}
     * (the ones to watch). Directories that vanish or cannot be read while listing are skipped, and so
     * are entries gone between the listing and their {@code stat}.
     */
    void scan(Map<Path, Found> files, List<Path> dirs) {
        for (Root r : roots) {
            walk(r, r.dir(), 0, f -> {
                for (PathMatcher m : r.matchers()) {
                    if (m.matches(f.path())) {
                        files.putIfAbsent(f.path().toAbsolutePath().normalize(), f);
                        return;
                    }
                }
            }, dirs);
        }
    }

    private static void walk(Root r, Path dir, int level, Consumer<Found> onFile, List<Path> dirs) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        dirs.add(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Found f;
                boolean directory;
                try {
                    Map<String, Object> a = Files.readAttributes(p, UNIX_ATTRIBUTES);
                    directory = (Boolean) a.get("isDirectory");
                    f = (Boolean) a.get("isRegularFile")
                            ? new Found(p, FileKey.of(((Number) a.get("dev")).longValue(),
                                    ((Number) a.get("ino")).longValue()), ((Number) a.get("size")).longValue(),
                                    (FileTime) a.get("lastModifiedTime"))
                            : null;
                } catch (UnsupportedOperationException | IllegalArgumentException noInodes) {
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                        directory = a.isDirectory();
                        f = a.isRegularFile() ? new Found(p, FileKey.ofPath(p.toAbsolutePath().normalize()), a.size(),
                                a.lastModifiedTime()) : null;
                    } catch (IOException e) {
                        continue;
                    }
                } catch (IOException e) {
                    continue; // gone meanwhile, or a dangling link
                }
                if (f != null) {
                    onFile.accept(f);
                } else if (directory && level + 1 < r.depth()
                        && !Files.isSymbolicLink(p) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    walk(r, p, level + 1, onFile, dirs);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the directory vanished or is unreadable: nothing to follow there now
        }
    }
}
