package io.fileflux.spring.webflux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request paths mapped under a root: every way out refused, symbolic links checked where they lead. */
class SafePathsTest {

    @TempDir
    Path base;

    Path root;
    Path secret;

    @BeforeEach
    void tree() throws IOException {
        base = base.toRealPath();
        root = Files.createDirectories(base.resolve("root"));
        secret = Files.writeString(base.resolve("secret.txt"), "top secret\n");
        Files.writeString(root.resolve("small.txt"), "small\n");
        Files.createDirectories(root.resolve("sub dir"));
        Files.writeString(root.resolve("sub dir").resolve("inner.txt"), "inner\n");
        Files.createSymbolicLink(root.resolve("escape"), secret);
        Files.createSymbolicLink(root.resolve("escape-dir"), base);
        Files.createSymbolicLink(root.resolve("link-inside.txt"), root.resolve("small.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), root.resolve("nothing-here"));
        Files.createSymbolicLink(root.resolve("loop"), root.resolve("loop"));
    }

    /** Traversal attempts, as raw request paths: each is a 404 (nothing outside the root is named). */
    static List<String> traversals(Path secret) {
        List<String> paths = new ArrayList<>(List.of("/..", "/../", "/../secret.txt", "/../../secret.txt",
                "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/%2e%2E/secret.txt", "/.%2e/secret.txt",
                "/%2e./secret.txt", "/..%2fsecret.txt", "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt",
                "/sub%20dir/../../secret.txt", "/sub%20dir/%2e%2e/%2e%2e/secret.txt", "/sub%20dir/..%2f..%2fsecret.txt",
                "/%2fetc%2fpasswd", "/%2Fetc%2Fpasswd", "/" + secret.toString().replace("/", "%2f"),
                "/small.txt%00", "/small.txt%00.png", "/%00", "/./small.txt", "/%2e/small.txt", "/sub%20dir/./inner.txt",
                "/sub%20dir/%2e/inner.txt", "/.", "/%2e", "/small.txt/..", "/sub%20dir/..", "/sub%20dir/%2e%2e",
                "/%252e%252e/secret.txt", "/..;/secret.txt", "/....//secret.txt", "/%c0%ae%c0%ae/secret.txt",
                "/%e0%80%ae%e0%80%ae/secret.txt", "/%%32%65%%32%65/secret.txt", "/%zz/secret.txt", "/%2",
                "/..%00/secret.txt", "/..%0a/secret.txt", "relative/small.txt", "small.txt", "/small.txt/",
                "/sub%20dir/inner.txt/", "/nothing-here"));
        if (File.separatorChar == '\\') {
            paths.addAll(List.of("/..%5csecret.txt", "/..%5Csecret.txt", "/sub%20dir%5c..%5c..%5csecret.txt"));
        } else {
            // a backslash is a file name character here: these name files that do not exist
            paths.addAll(List.of("/..%5csecret.txt", "/..%5Csecret.txt", "/sub%20dir%5c..%5c..%5csecret.txt"));
        }
        return paths;
    }

    @Test
    void traversalAttemptsAreRefused() {
        List<String> paths = traversals(secret);
        assertTrue(paths.size() >= 45, "attempts: " + paths.size());
        for (String raw : paths) {
            SafePaths.Resolved r = SafePaths.resolve(root, raw);
            assertFalse(r.ok(), raw + " -> " + r);
            assertEquals(404, r.status(), raw);
        }
    }

    @Test
    void pathsInsideTheRootResolveToRealPaths() throws IOException {
        assertEquals(root, SafePaths.resolve(root, "/").path());
        assertEquals(root, SafePaths.resolve(root, "").path());
        assertEquals(root, SafePaths.resolve(root, null).path());
        assertEquals(root.resolve("small.txt"), SafePaths.resolve(root, "/small.txt").path());
        assertEquals(root.resolve("small.txt"), SafePaths.resolve(root, "//small.txt").path());
        assertEquals(root.resolve("sub dir").resolve("inner.txt"), SafePaths.resolve(root, "/sub%20dir/inner.txt").path());
        assertEquals(root.resolve("sub dir"), SafePaths.resolve(root, "/sub%20dir/").path());
        // a link that stays inside: its target
        assertEquals(root.resolve("small.txt"), SafePaths.resolve(root, "/link-inside.txt").path());
    }

    @Test
    void symbolicLinksOutOfTheRootAre403DanglingOrLoopingOnes404() {
        assertEquals(403, SafePaths.resolve(root, "/escape").status());
        assertEquals(403, SafePaths.resolve(root, "/escape-dir").status());
        assertEquals(403, SafePaths.resolve(root, "/escape-dir/").status());
        assertEquals(403, SafePaths.resolve(root, "/escape-dir/secret.txt").status());
        // what counts is where a path leads: back inside through a link that leaves, it is the file inside
        assertEquals(root.resolve("small.txt"), SafePaths.resolve(root, "/escape-dir/root/small.txt").path());
        assertEquals(404, SafePaths.resolve(root, "/dangling").status());
        assertEquals(404, SafePaths.resolve(root, "/loop").status());
        assertTrue(SafePaths.staysInside(root, root.resolve("link-inside.txt")));
        assertFalse(SafePaths.staysInside(root, root.resolve("escape")));
        assertFalse(SafePaths.staysInside(root, root.resolve("dangling")));
    }

    @Test
    void aBackslashIsAFileNameCharacterWhereItSeparatesNothing() throws IOException {
        assumeTrue(File.separatorChar == '/', "POSIX file names");
        Path odd = Files.writeString(root.resolve("a\\b.txt"), "backslash\n");
        assertEquals(odd, SafePaths.resolve(root, "/a%5Cb.txt").path());
        assertEquals(odd, SafePaths.resolve(root, "/a%5cb.txt").path());
    }
}
