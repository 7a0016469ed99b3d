package io.fileflux.reactor;

import io.fileflux.core.Engines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.Factory;
import reactor.core.publisher.BaseSubscriber;

/**
 * The Reactive Streams TCK for the writing subscriber (the one that receives the source's buffers), once
 * per engine available here. Each subscriber writes to its own new file; its {@code Mono} result goes to
 * a subscriber that requests it at once.
 */
public class WriteSubscriberTckTest extends SubscriberBlackboxVerification<ByteBuffer> {

    private final String engine;
    private final Path dir;
    private final AtomicInteger files = new AtomicInteger();

    @Factory
    public static Object[] perEngine() {
        return TestEngines.available().stream().map(WriteSubscriberTckTest::new).toArray();
    }

    public WriteSubscriberTckTest(String engine) {
        super(new TestEnvironment(2000, 200));
        this.engine = engine;
        try {
            this.dir = Files.createTempDirectory("fileflux-write-tck-" + engine);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Subscriber<ByteBuffer> createSubscriber() {
        WriteOptions options = WriteOptions.defaults().engine(Engines.shared(engine)).maxInFlight(3);
        try {
            return FileWriteMono.open(new BaseSubscriber<Long>() { }, dir.resolve("w" + files.incrementAndGet()),
                    options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ByteBuffer createElement(int element) {
        return ByteBuffer.wrap(new byte[] {(byte) element, (byte) (element >> 8)});
    }

    @Override
    public String toString() {
        return "WriteSubscriberTck[" + engine + "]";
    }

    @AfterClass
    public void deleteFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
