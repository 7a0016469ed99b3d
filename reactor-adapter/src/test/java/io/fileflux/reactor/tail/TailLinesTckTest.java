package io.fileflux.reactor.tail;

import io.fileflux.core.EngineStatus;
import io.fileflux.core.Engines;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.Factory;

/**
 * The Reactive Streams TCK for the lines publisher on a finite file (a publisher of {@code n}
 * elements is a file of {@code n} lines read in 8-byte chunks), once per engine available here.
 */
public class TailLinesTckTest extends PublisherVerification<TailLine> {

    private static final long MAX_ELEMENTS = 2048;

    private final String engine;
    private final Path dir;

    @Factory
    public static Object[] perEngine() {
        return Engines.probeAll().stream().filter(EngineStatus::available).map(EngineStatus::name)
                .map(TailLinesTckTest::new).toArray();
    }

    public TailLinesTckTest(String engine) {
        // §3.13: after cancel the subscriber may stay referenced until the cancelled reads come back
        // from the kernel; allow a slow machine (or Wine) a few seconds for that, not 300 ms
        super(new TestEnvironment(2000, 200), 5000);
        this.engine = engine;
        try {
            this.dir = Files.createTempDirectory("fileflux-lines-tck-" + engine);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Publisher<TailLine> createPublisher(long elements) {
        Path file = dir.resolve("n" + elements);
        try {
            if (!Files.exists(file)) {
                StringBuilder sb = new StringBuilder();
                for (long i = 0; i < elements; i++) {
                    sb.append("line ").append(i).append('\n');
                }
                Files.writeString(file, sb, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return FileFlux.tailLines(file, TailOptions.defaults().follow(false).chunkSize(8).engine(engine),
                LineOptions.defaults());
    }

    @Override
    public Publisher<TailLine> createFailedPublisher() {
        return FileFlux.lines(dir.resolve("does-not-exist"));
    }

    @Override
    public long maxElementsFromPublisher() {
        return MAX_ELEMENTS;
    }

    @Override
    public String toString() {
        return "TailLinesTck[" + engine + "]";
    }

    @AfterClass
    public void deleteFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
