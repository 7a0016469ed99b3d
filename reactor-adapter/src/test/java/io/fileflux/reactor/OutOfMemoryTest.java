package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;

/**
 * Direct memory runs out (a child JVM with {@code -XX:MaxDirectMemorySize=8m} and 4 MiB chunks), in every
 * buffer mode of the read publisher and for plain and atomic writes of heap buffers: the stream fails
 * with an {@link IOException} naming the file and what to change — never a raw {@code OutOfMemoryError}
 * out of {@code block()}, never a hang — and nothing is left: no device open, no op in flight, no
 * descriptor, every pooled buffer back, no temporary file, an atomic target untouched.
 */
class OutOfMemoryTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final int CHUNK = 4 << 20;

    @TempDir
    Path dir;

    enum Mode { HEAP, DIRECT, POOLED, WRITE, WRITE_ATOMIC }

    static Stream<Arguments> cases() {
        return TestEngines.available().stream().flatMap(e -> Stream.of(Mode.values()).map(m -> Arguments.of(e, m)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void exhaustedDirectMemoryFailsTheStreamCleanly(String engine, Mode mode) throws Exception {
        assumeFalse(TestFiles.isWindows(), "the child JVM is started on Linux only (under Wine: not here)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-XX:MaxDirectMemorySize=8m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), engine, mode.name(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "child JVM hung: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("RESULT IOException"), out);
        assertTrue(out.contains(dir.toString()), "the error names the file: " + out);
        assertTrue(out.contains("CLEAN"), out);
    }

    /** The child JVM: runs one case, prints what happened, exits 0 only if it failed as it should. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            FileEngine engine = Engines.create(args[0]);
            Mode mode = Mode.valueOf(args[1]);
            Path dir = Path.of(args[2]);
            Path source = dir.resolve("big.bin");
            try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
                f.setLength(64L << 20); // sparse: 64 MiB to read, none of it on disk
            }
            Path target = dir.resolve("target.bin");
            Files.writeString(target, "old content");
            BufferPool pool = new BufferPool(CHUNK, 4);
            Map<String, String> fds = TestFiles.fdSnapshot();
            ReadOptions read = ReadOptions.defaults().engine(engine).chunkSize(CHUNK).maxInFlight(4);
            Throwable error = null;
            try {
                switch (mode) {
                    case HEAP:
                        FileFlux.read(source, read).blockLast(WAIT);
                        break;
                    case DIRECT:
                        FileFlux.read(source, read.bufferMode(BufferMode.DIRECT)).blockLast(WAIT);
                        break;
                    case POOLED:
                        FileFlux.read(source, read.pooled(pool)).doOnNext(pool::release).blockLast(WAIT);
                        break;
                    default:
                        Flux<ByteBuffer> heap = Flux.range(0, 16).map(i -> ByteBuffer.allocate(CHUNK));
                        FileFlux.write(heap, target, WriteOptions.defaults().engine(engine).maxInFlight(4)
                                .atomic(mode == Mode.WRITE_ATOMIC)).block(WAIT);
                }
                System.out.println("RESULT none: the stream did not fail");
            } catch (RuntimeException e) {
                error = Exceptions.unwrap(e);
            } catch (Throwable t) {
                System.out.println("RAW " + t); // a raw error out of block(): what must not happen
                System.exit(2);
            }
            if (error != null) {
                System.out.println("RESULT " + error.getClass().getSimpleName() + ": " + error.getMessage());
            }
            List<String> dirty = new java.util.ArrayList<>();
            try {
                TestFiles.await(WAIT, "no device and no op", () -> engine.stats().openDevices() == 0
                        && engine.stats().inFlight() == 0);
                TestFiles.awaitNoFdOpenedSince(fds, WAIT);
            } catch (AssertionError e) {
                dirty.add(e.getMessage() + " " + engine.stats());
            }
            if (pool.outstanding() != 0) {
                dirty.add(pool.outstanding() + " pooled buffers out");
            }
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> temps = s.filter(f -> f.getFileName().toString().endsWith(".tmp")).collect(Collectors.toList());
                if (!temps.isEmpty()) {
                    dirty.add("temporary files " + temps);
                }
            }
            if (mode == Mode.WRITE_ATOMIC && !Files.readString(target).equals("old content")) {
                dirty.add("the atomic target changed");
            }
            System.out.println(dirty.isEmpty() ? "CLEAN" : "DIRTY " + dirty);
            System.out.flush();
            boolean ok = error instanceof IOException && dirty.isEmpty();
            Runtime.getRuntime().halt(ok ? 0 : 1);
        }
    }
}
