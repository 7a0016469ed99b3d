package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * Random request/cancel/delay schedules against a model: the bytes received are exactly the slice
 * {@code [position, position + length)} of the file (a prefix of it when cancelled), demand is never
 * exceeded, and nothing leaks — no op in flight, no device open, every pooled buffer back.
 */
class ReadSchedulePropertiesTest {

    private static Path dir;
    private static byte[] data;
    private static Path file;

    @BeforeContainer
    static void createFile() throws IOException {
        dir = Files.createTempDirectory("fileflux-props");
        file = dir.resolve("data");
        data = TestFiles.create(file, 700_001, 99);
    }

    @AfterContainer
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @Provide
    Arbitrary<String> engines() {
        return Arbitraries.of(TestEngines.available());
    }

    @Property(tries = 300)
    void receivedBytesMatchTheFileSliceAndDemandIsRespected(
            @ForAll("engines") String engineName,
            @ForAll @IntRange(min = 0, max = 700_001) int position,
            @ForAll @IntRange(min = -1, max = 400_000) int length,
            @ForAll @IntRange(min = 100, max = 70_000) int chunkSize,
            @ForAll @IntRange(min = 1, max = 16) int maxInFlight,
            @ForAll boolean pooled,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 40) Integer> requests,
            @ForAll @IntRange(min = -1, max = 30) int cancelAfter,
            @ForAll @IntRange(min = 0, max = 2) int delayMillis) throws Exception {

        try (FileEngine engine = Engines.create(engineName)) {
            BufferPool pool = pooled ? new BufferPool(chunkSize, 8) : null;
            ReadOptions opts = ReadOptions.defaults().engine(engine).chunkSize(chunkSize).maxInFlight(maxInFlight)
                    .position(position).length(length < 0 ? ReadOptions.TO_END : length);
            if (pool != null) {
                opts = opts.pooled(pool);
            }
            ScheduledSubscriber sub = new ScheduledSubscriber(requests, cancelAfter, delayMillis, pool);
            FileFlux.read(file, opts).subscribe(sub);
            assertTrue(sub.done.await(30, TimeUnit.SECONDS), "terminated or cancelled");

            assertNull(sub.error.get(), "no error");
            assertEquals(0, sub.violations.get(), "onNext never exceeded demand");
            int end = length < 0 ? data.length : (int) Math.min((long) position + length, data.length);
            byte[] expected = Arrays.copyOfRange(data, Math.min(position, data.length), Math.max(end, position));
            byte[] got = sub.bytes.toByteArray();
            if (sub.cancelled) {
                assertArrayEquals(Arrays.copyOf(expected, got.length), got, "a prefix of the slice");
            } else {
                assertArrayEquals(expected, got, "the whole slice");
            }
            // after a cancel, the drain returns the buffers of the cancelled reads once they have completed:
            // wait for that, as for the file's close (the bound only stops a hung test)
            TestFiles.await(Duration.ofSeconds(60), "nothing in flight, nothing open, every pooled buffer back: "
                    + engine.stats() + (pool != null ? ", pool out " + pool.outstanding() : ""),
                    () -> engine.stats().inFlight() == 0 && engine.stats().openDevices() == 0
                            && (pool == null || pool.outstanding() == 0));
            assertFalse(TestFiles.isOpen(file));
        }
    }

    /** Requests in the given steps (the next step when the previous one is used up), maybe cancels. */
    static final class ScheduledSubscriber extends BaseSubscriber<ByteBuffer> {
        final List<Integer> steps;
        final int cancelAfter;
        final int delayMillis;
        final BufferPool pool;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicLong violations = new AtomicLong();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        long requested;
        long received;
        int step;
        volatile boolean cancelled;

        ScheduledSubscriber(List<Integer> steps, int cancelAfter, int delayMillis, BufferPool pool) {
            this.steps = steps;
            this.cancelAfter = cancelAfter;
            this.delayMillis = delayMillis;
            this.pool = pool;
        }

        @Override
        protected void hookOnSubscribe(Subscription s) {
            nextRequest();
        }

        private void nextRequest() {
            long n = step < steps.size() ? steps.get(step++) : Long.MAX_VALUE;
            requested = n == Long.MAX_VALUE ? Long.MAX_VALUE : requested + n;
            request(n);
        }

        @Override
        protected void hookOnNext(ByteBuffer b) {
            received++;
            if (received > requested) {
                violations.incrementAndGet();
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            bytes.write(chunk, 0, chunk.length);
            if (pool != null) {
                pool.release(b);
            }
            if (delayMillis > 0 && received <= 20) { // a slow start, then full speed: bounded run time
                FileFluxReadTest.sleep(delayMillis);
            }
            if (cancelAfter >= 0 && received >= cancelAfter) {
                cancelled = true;
                cancel();
                done.countDown();
                return;
            }
            if (received == requested) {
                nextRequest();
            }
        }

        @Override
        protected void hookOnError(Throwable t) {
            error.set(t);
            done.countDown();
        }

        @Override
        protected void hookOnComplete() {
            done.countDown();
        }
    }
}
