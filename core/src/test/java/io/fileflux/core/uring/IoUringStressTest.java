package io.fileflux.core.uring;

import io.fileflux.core.DeviceReads.Result;

import static io.fileflux.core.DeviceReads.Result;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fileflux.core.FileDevice;
import io.fileflux.core.IoCallback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many more ops than SQ and CQ entries, from many threads and from callbacks; every byte checked. */
class IoUringStressTest {

    @TempDir
    Path dir;

    @Test
    void manyConcurrentReadersOnATinyRingGetTheRightBytes() throws Exception {
        IoUringTestSupport.assumeIoUring();
        byte[] data = new byte[2 << 20];
        new Random(7).nextBytes(data);
        Path f = Files.write(dir.resolve("stress"), data);
        try (IoUringEngine engine = new IoUringEngine(4)) { // 4 SQEs, 16 CQEs
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                int seed = t;
                readers.add(pool.submit(() -> {
                    readWholeFile(engine, f, data, 4096 << (seed % 5), 2 + seed % 15);
                    return null;
                }));
            }
            for (Future<?> r : readers) {
                r.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            IoUringTestSupport.awaitZero(() -> engine.stats().openDevices());
            assertEquals(0, engine.stats().inFlight());
        }
    }

    /**
     * Reads the whole file with {@code lanes} reads in flight, each callback submitting the next
     * read from the completion thread, and checks every byte.
     */
    private static void readWholeFile(IoUringEngine engine, Path f, byte[] data, int chunk, int lanes)
            throws Exception {
        FileDevice dev = engine.open(f);
        byte[] out = new byte[data.length];
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger nextChunk = new AtomicInteger();
        AtomicInteger active = new AtomicInteger(lanes);
        for (int l = 0; l < lanes; l++) {
            ByteBuffer buf = l % 3 == 0 ? ByteBuffer.allocate(chunk) : ByteBuffer.allocateDirect(chunk);
            new IoCallback() {
                long pos;

                void next() {
                    pos = (long) nextChunk.getAndIncrement() * chunk;
                    if (pos >= data.length) {
                        if (active.decrementAndGet() == 0) {
                            done.complete(null);
                        }
                        return;
                    }
                    buf.clear();
                    dev.read(buf, pos, this);
                }

                @Override
                public void completed(int bytes) {
                    int expected = (int) Math.min(chunk, data.length - pos);
                    if (bytes != expected) {
                        done.completeExceptionally(new AssertionError("read " + bytes + " at " + pos));
                        return;
                    }
                    buf.flip().get(out, (int) pos, bytes);
                    next();
                }

                @Override
                public void failed(IOException error) {
                    done.completeExceptionally(error);
                }
            }.next();
        }
        done.get(60, TimeUnit.SECONDS);
        dev.closeAsync().get(5, TimeUnit.SECONDS);
        assertArrayEquals(data, out);
    }

    @Test
    void completionQueueOverflowLosesNothing() throws Exception {
        IoUringTestSupport.assumeIoUring();
        byte[] data = new byte[400 * 512];
        new Random(8).nextBytes(data);
        Path f = Files.write(dir.resolve("overflow"), data);
        try (IoUringEngine engine = new IoUringEngine(2)) { // 2 SQEs, 8 CQEs
            FileDevice dev = engine.open(f);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            // park the completion thread inside a callback so CQEs pile up beyond the CQ ring
            dev.read(ByteBuffer.allocateDirect(1), 0, new IoCallback() {
                @Override
                public void completed(int bytes) {
                    blocked.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void failed(IOException error) {
                    blocked.countDown();
                }
            });
            blocked.await(5, TimeUnit.SECONDS);
            List<Result> results = new ArrayList<>();
            List<ByteBuffer> bufs = new ArrayList<>();
            CompletableFuture<Void> submitted = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 400; i++) {
                    Result r = new Result();
                    ByteBuffer b = ByteBuffer.allocateDirect(512);
                    synchronized (results) {
                        results.add(r);
                        bufs.add(b);
                    }
                    dev.read(b, i * 512L, r);
                }
            });
            try {
                submitted.get(2, TimeUnit.SECONDS); // the kernel may push back (EBUSY): then we wait below
            } catch (java.util.concurrent.TimeoutException expected) {
                // submitter waits for the completion thread; fine
            }
            release.countDown();
            submitted.get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 400; i++) {
                assertEquals(512, results.get(i).get());
                byte[] got = new byte[512];
                bufs.get(i).flip().get(got);
                assertArrayEquals(Arrays.copyOfRange(data, i * 512, (i + 1) * 512), got, "chunk " + i);
            }
            dev.closeAsync().get(5, TimeUnit.SECONDS);
            System.out.println("overflow test: " + engine.counters());
        }
    }

    @Test
    void engineCreatedAndClosedRepeatedlyLeavesNoThreads() {
        IoUringTestSupport.assumeIoUring();
        for (int i = 0; i < 50; i++) {
            IoUringEngine e = new IoUringEngine(8);
            Thread t = e.completionThread();
            e.close();
            assertFalse(t.isAlive());
        }
    }
}
