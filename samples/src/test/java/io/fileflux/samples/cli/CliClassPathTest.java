package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands other than {@code serve} start without Spring: {@code ./fileflux} runs them from a short
 * class path (the artifacts of the {@code fileflux.cli.light} build property, copied to
 * {@code target/cli-lib}), and even on the full class path they load no Spring or Netty class.
 */
class CliClassPathTest {

    @TempDir
    Path dir;

    /**
     * info, cat, cp and tail on exactly the short class path, split as the launcher splits it (picocli on the
     * boot class path): nothing they need is missing, and picocli works from the boot loader.
     */
    @Test
    void theCommandsRunOnTheShortClassPath() throws Exception {
        List<String> boot = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String entry : lightClassPath().split(File.pathSeparator)) {
            ("picocli".equals(artifactOf(Path.of(entry))) ? boot : rest).add(entry);
        }
        assertEquals(1, boot.size(), "picocli's jar: " + boot);
        String cp = String.join(File.pathSeparator, rest);
        List<String> jvm = List.of("-Xbootclasspath/a:" + boot.get(0));
        Path in = Files.writeString(dir.resolve("in.txt"), "one\ntwo\nthree\n");
        Path copy = dir.resolve("copy.txt");

        CliProcess info = CliProcess.run(cp, jvm, "info");
        assertEquals(0, info.exitCode, info.stderr);
        assertTrue(new String(info.stdout, StandardCharsets.UTF_8).contains("Chosen:"), info.stderr);

        CliProcess cat = CliProcess.run(cp, jvm, "cat", in.toString());
        assertEquals(0, cat.exitCode, cat.stderr);
        assertArrayEquals(Files.readAllBytes(in), cat.stdout);

        CliProcess cp2 = CliProcess.run(cp, jvm, "cp", "--no-progress", in.toString(), copy.toString());
        assertEquals(0, cp2.exitCode, cp2.stderr);
        assertArrayEquals(Files.readAllBytes(in), Files.readAllBytes(copy));

        CliProcess tail = CliProcess.run(cp, jvm, "tail", "-n", "1", in.toString());
        assertEquals(0, tail.exitCode, tail.stderr);
        assertEquals("three\n", new String(tail.stdout, StandardCharsets.UTF_8));

        CliProcess bad = CliProcess.run(cp, jvm, "tail", "--no-such-option", in.toString());
        assertEquals(2, bad.exitCode, bad.stderr);
        assertTrue(bad.stderr.contains("Unknown option: '--no-such-option'"), bad.stderr);

        CliProcess tailHelp = CliProcess.run(cp, jvm, "tail", "--help");
        assertEquals(0, tailHelp.exitCode, tailHelp.stderr);
        assertTrue(new String(tailHelp.stdout, StandardCharsets.UTF_8).contains("--checkpoint=FILE"), "tail's usage");

        CliProcess help = CliProcess.run(cp, jvm, "--help");
        assertEquals(0, help.exitCode, help.stderr);
        assertTrue(new String(help.stdout, StandardCharsets.UTF_8).contains("serve"), "usage lists serve");
    }

    /** On the full class path (the executable jar's), cat loads no class of Spring, Netty or serve's. */
    @Test
    void catLoadsNoSpringClass() throws Exception {
        Path in = Files.writeString(dir.resolve("in.txt"), "hello\n");
        Path log = dir.resolve("classes.log");
        CliProcess cat = CliProcess.run(System.getProperty("java.class.path"),
                List.of("-Xlog:class+load=info:file=" + log), "cat", in.toString());
        assertEquals(0, cat.exitCode, cat.stderr);
        List<String> loaded = Files.readAllLines(log);
        assertTrue(loaded.stream().anyMatch(l -> l.contains("io.fileflux.samples.cli.CatCommand ")), "log read");
        List<String> unwanted = loaded.stream()
                .filter(l -> l.contains(" org.springframework.") || l.contains(" io.netty.")
                        || l.contains(" reactor.netty.") || l.contains("io.fileflux.samples.cli.ServeCommand")
                        || l.contains("io.fileflux.samples.server."))
                .collect(Collectors.toList());
        assertTrue(unwanted.isEmpty(), "loaded outside serve: " + unwanted);
    }

    /**
     * The test class path cut down to this module's classes and the {@code fileflux.cli.light}
     * artifacts (a reactor module's classes directory counts as its artifact).
     */
    static String lightClassPath() throws IOException {
        String property = System.getProperty("fileflux.cli.light");
        assertTrue(property != null && !property.isBlank(), "fileflux.cli.light is set by the build");
        Set<String> artifacts = Set.of(property.trim().split("\\s*,\\s*"));
        Path own = Path.of(FilefluxCli.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> kept = new ArrayList<>();
        Set<String> found = new java.util.HashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (p.equals(own)) {
                kept.add(entry);
                continue;
            }
            String artifact = artifactOf(p);
            if (artifact != null && artifacts.contains(artifact)) {
                kept.add(entry);
                found.add(artifact);
            }
        }
        assertEquals(artifacts, found, "every light artifact is on the test class path");
        assertFalse(kept.isEmpty());
        return String.join(File.pathSeparator, kept);
    }

    private static final Pattern JAR = Pattern.compile("(.+?)-\\d.*\\.jar");
    private static final Pattern POM_ARTIFACT = Pattern.compile("</parent>.*?<artifactId>([^<]+)</artifactId>",
            Pattern.DOTALL);

    /** A jar's artifact id from its file name, or a reactor module's from its pom; null if unknown. */
    private static String artifactOf(Path entry) throws IOException {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry)) {
            Path pom = entry.resolve("../../pom.xml").normalize();
            if (!Files.isRegularFile(pom)) {
                return null;
            }
            Matcher m = POM_ARTIFACT.matcher(Files.readString(pom));
            return m.find() ? m.group(1) : null;
        }
        Matcher m = JAR.matcher(name);
        return m.matches() ? m.group(1) : null;
    }
}
