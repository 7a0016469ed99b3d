package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIoException;
import io.fileflux.core.TestFiles;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A full disk, for real: a 1 MiB tmpfs mounted for the test (needs root and mount rights), and a
 * {@code RLIMIT_FSIZE} ({@code prlimit --fsize}) on a child JVM. Each case skips with its reason where the
 * environment cannot provide it.
 */
class WriteDiskFullTest {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Path mount;
    FileEngine engine;

    static List<String> engines() {
        return TestEngines.available();
    }

    @AfterEach
    void unmount() throws Exception {
        if (engine != null) {
            TestFiles.await(Duration.ofSeconds(10), "no device open and no op in flight: " + engine.stats(),
                    () -> engine.stats().openDevices() == 0 && engine.stats().inFlight() == 0);
            engine.close();
        }
        if (mount != null) {
            run(List.of("umount", mount.toString()));
        }
    }

    /** Mounts a 1 MiB tmpfs on a fresh directory, or skips the test with the reason. */
    Path smallFileSystem() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "tmpfs needs Linux");
        Path m = Files.createDirectory(dir.resolve("small"));
        String out;
        try {
            out = run(List.of("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", m.toString()));
        } catch (IOException e) {
            out = e.toString();
        }
        assumeTrue(out == null, "cannot mount a small tmpfs here: " + out);
        mount = m;
        return m;
    }

    /** Runs a command; null on success, else its output. */
    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "command hung: " + command);
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    }

    static Flux<ByteBuffer> blocks(int count) {
        byte[] block = TestFiles.bytes(64 * 1024, 99);
        return Flux.range(0, count).map(i -> ByteBuffer.wrap(block));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aFullDiskFailsTheMonoWithPathOffsetAndError(String name) throws Exception {
        Path fs = smallFileSystem();
        engine = Engines.create(name);
        Path file = fs.resolve("big");
        StepVerifier.create(FileFlux.write(blocks(32), file, WriteOptions.defaults().engine(engine).maxInFlight(4)))
                .expectErrorSatisfies(t -> {
                    FileIoException io = assertInstanceOf(FileIoException.class, t);
                    assertEquals(file, io.path());
                    assertTrue(io.offset() >= 0 && io.offset() < 2 << 20, "offset " + io.offset());
                    assertTrue(io.getMessage().contains("No space left on device") || "ENOSPC".equals(io.errorName()),
                            io.getMessage());
                })
                .verify(TIMEOUT);
        assertFalse(TestFiles.isOpen(file));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void atomicReplaceOnAFullDiskKeepsTheTargetAndRemovesTheTemporaryFile(String name) throws Exception {
        Path fs = smallFileSystem();
        engine = Engines.create(name);
        Path file = fs.resolve("config");
        byte[] old = TestFiles.bytes(100_000, 5);
        Files.write(file, old);
        StepVerifier.create(FileFlux.write(blocks(32), file, WriteOptions.defaults().engine(engine).atomic(true)))
                .expectError(FileIoException.class)
                .verify(TIMEOUT);
        TestFiles.await(TIMEOUT, "temporary file removed", () -> {
            try (Stream<Path> s = Files.list(fs)) {
                return s.count() == 1;
            } catch (IOException e) {
                return false;
            }
        });
        assertArrayEquals(old, Files.readAllBytes(file));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aFileSizeLimitFailsTheMonoInAChildJvm(String name) throws Exception {
        assumeTrue(new File("/usr/bin/prlimit").canExecute(), "no prlimit(1) to set RLIMIT_FSIZE on a child");
        Path file = dir.resolve("limited");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // 512 KiB, in bytes (prlimit has no block-size ambiguity, unlike ulimit -f in bash or dash);
        // larger than what the JVM and JNA themselves write at start-up
        Process p = new ProcessBuilder("/usr/bin/prlimit", "--fsize=" + LIMIT + ":" + LIMIT, java, "-cp",
                System.getProperty("java.class.path"), Child.class.getName(), file.toString(), name)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM hung");
        assumeTrue(!out.startsWith("prlimit:"), "prlimit refused: " + out);
        assertEquals(3, p.exitValue(), out);
        assertTrue(out.contains("write failed: " + file), out);
        assertTrue(out.contains("File too large") || out.contains("EFBIG"), out);
        assertTrue(Files.size(file) <= LIMIT, "size " + Files.size(file));
    }

    static final long LIMIT = 512 * 1024;

    /** The child JVM: writes 1 MiB (past {@link #LIMIT}), prints the error and exits 3 if the write fails as expected. */
    public static final class Child {
        public static void main(String[] args) {
            try {
                long n = FileFlux.write(blocks(16), Path.of(args[0]),
                        WriteOptions.defaults().engine(Engines.shared(args[1]))).block(TIMEOUT);
                System.out.println("unexpectedly wrote " + n + " bytes");
                System.exit(0);
            } catch (RuntimeException e) {
                Throwable t = reactor.core.Exceptions.unwrap(e);
                System.out.println(t.getClass().getSimpleName() + ": " + t.getMessage());
                System.exit(t instanceof FileIoException ? 3 : 4);
            }
        }
    }
}
