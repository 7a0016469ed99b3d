package io.fileflux.reactor;

import io.fileflux.core.Engines;
import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
 * The Reactive Streams TCK for the read publisher, once per engine available here. A publisher of
 * {@code n} elements is a file of {@code n} bytes read in 1-byte chunks.
 */
public class ReadPublisherTckTest extends PublisherVerification<ByteBuffer> {

    private static final long MAX_FILE_ELEMENTS = 4096;

    private final String engine;
    private final Path dir;

    @Factory
    public static Object[] perEngine() {
        return TestEngines.available().stream().map(ReadPublisherTckTest::new).toArray();
    }

    public ReadPublisherTckTest(String engine) {
        // §3.13: after cancel the subscriber may stay referenced until the cancelled reads come back
        // from the kernel; allow a slow machine (or Wine) a few seconds for that, not 300 ms
        super(new TestEnvironment(2000, 200), 5000);
        this.engine = engine;
        try {
            this.dir = Files.createTempDirectory("fileflux-tck-" + engine);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Publisher<ByteBuffer> createPublisher(long elements) {
        if (elements > MAX_FILE_ELEMENTS) {
            // a stream too long for a file: a range of the character device /dev/zero, 1 byte per chunk
            return FileFlux.read(Path.of("/dev/zero"), ReadOptions.defaults().engine(Engines.shared(engine))
                    .chunkSize(1).maxInFlight(3).length(elements));
        }
        Path file = dir.resolve("n" + elements);
        try {
            if (!Files.exists(file)) {
                TestFiles.create(file, (int) elements, elements);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return FileFlux.read(file, ReadOptions.defaults().engine(Engines.shared(engine)).chunkSize(1).maxInFlight(3));
    }

    @Override
    public Publisher<ByteBuffer> createFailedPublisher() {
        return FileFlux.read(dir.resolve("does-not-exist"), ReadOptions.defaults().engine(Engines.shared(engine)));
    }

    @Override
    public long maxElementsFromPublisher() {
        // Long.MAX_VALUE itself would tell the TCK the stream never completes
        return !TestFiles.isWindows() && Files.isReadable(Path.of("/dev/zero"))
                ? Long.MAX_VALUE - 1 : MAX_FILE_ELEMENTS;
    }

    @Override
    public String toString() {
        return "ReadPublisherTck[" + engine + "]";
    }

    @AfterClass
    public void deleteFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
