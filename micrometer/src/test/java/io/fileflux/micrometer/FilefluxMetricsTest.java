package io.fileflux.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.EngineClosedException;
import io.fileflux.core.Engines;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.IoCallback;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.ReadOptions;
import io.fileflux.reactor.WriteOptions;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.TailEvent;
import io.fileflux.reactor.tail.TailOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

class FilefluxMetricsTest {

    @TempDir
    Path dir;
    FileEngine engine;
    MeterRegistry registry;

    @BeforeEach
    void setUp() {
        engine = Engines.create(Engines.shared().name()); // an engine of our own: its counters start at 0
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void engineCountersMatchTheBytesWrittenAndRead() throws Exception {
        new FilefluxMetrics(engine).bindTo(registry);
        Path file = dir.resolve("data");
        byte[] data = bytes(300_000);
        List<ByteBuffer> parts = new ArrayList<>();
        for (int at = 0; at < data.length; at += 100_000) {
            parts.add(ByteBuffer.wrap(data, at, 100_000));
        }
        long written = FileFlux.write(Flux.fromIterable(parts), file, WriteOptions.defaults().engine(engine)).block();
        assertEquals(300_000, written);
        assertEquals(300_000, counter("fileflux.engine.io", "op", "write", "engine", engine.name()));

        long read = FileFlux.read(file, ReadOptions.defaults().engine(engine).chunkSize(64 * 1024))
                .map(b -> (long) b.remaining()).reduce(0L, Long::sum).block();
        assertEquals(300_000, read);
        assertEquals(300_000, counter("fileflux.engine.io", "op", "read"));
        assertTrue(counter("fileflux.engine.ops") >= 3 + 5, "three writes and at least five reads submitted");
        assertEquals(0, gauge("fileflux.engine.ops.inflight"));
        assertEquals(0, gauge("fileflux.engine.devices.open"), "each publisher closed its file before its signal");
        for (String kind : List.of("io", "no_space", "access", "invalid", "engine_closed", "other")) {
            assertEquals(0, counter("fileflux.engine.errors", "kind", kind), kind);
        }
        assertEquals("bytes", registry.get("fileflux.engine.io").functionCounter().getId().getBaseUnit());
    }

    @Test
    void inFlightOpenDevicesCancelsAndErrorsFollowAReadThatOnlyACancelOrACloseEnds() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(mk.waitFor() == 0, "named pipes of the POSIX kind");
        new FilefluxMetrics(engine).bindTo(registry);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw")) { // a writer that never writes
            FileDevice device = engine.open(fifo);
            Outcome first = new Outcome();
            device.read(ByteBuffer.allocate(64), 0, first).cancel();
            assertInstanceOf(io.fileflux.core.IoCancelledException.class, first.result.handle((v, e) -> e).get(30, TimeUnit.SECONDS));
            assertEquals(1, counter("fileflux.engine.ops.cancelled"));
            Outcome second = new Outcome();
            device.read(ByteBuffer.allocate(64), 0, second);
            assertEquals(1, gauge("fileflux.engine.ops.inflight"));
            assertEquals(1, gauge("fileflux.engine.devices.open"));
            engine.close();
            assertInstanceOf(EngineClosedException.class, second.result.handle((v, e) -> e).get(30, TimeUnit.SECONDS));
            device.closeAsync().get(30, TimeUnit.SECONDS);
        }
        assertEquals(1, counter("fileflux.engine.errors", "kind", "engine_closed"));
        assertEquals(0, counter("fileflux.engine.errors", "kind", "io"));
        assertEquals(0, gauge("fileflux.engine.ops.inflight"));
        assertEquals(0, gauge("fileflux.engine.devices.open"));
    }

    /** Records an operation's outcome. */
    static final class Outcome implements IoCallback {
        final CompletableFuture<Integer> result = new CompletableFuture<>();

        @Override
        public void completed(int bytes) {
            result.complete(bytes);
        }

        @Override
        public void failed(IOException error) {
            result.completeExceptionally(error);
        }
    }

    @Test
    void poolGaugesFollowAcquireAndRelease() {
        BufferPool pool = new BufferPool(4096, 4, 8);
        FilefluxMetrics metrics = new FilefluxMetrics(engine, List.of(io.micrometer.core.instrument.Tag.of("app", "t")));
        metrics.bindTo(registry);
        metrics.pool("reads", pool); // added after binding: joins the bound registry
        ByteBuffer a = pool.acquire();
        ByteBuffer b = pool.acquire();
        ByteBuffer c = pool.acquire();
        assertEquals(3, gauge("fileflux.pool.buffers.outstanding", "pool", "reads", "app", "t"));
        assertEquals(8, gauge("fileflux.pool.buffers.capacity", "pool", "reads"));
        assertEquals(3, counter("fileflux.pool.buffers.allocated", "pool", "reads"));
        pool.release(a);
        pool.release(b);
        pool.release(c);
        assertEquals(0, gauge("fileflux.pool.buffers.outstanding", "pool", "reads"));
        assertEquals(0, counter("fileflux.pool.buffers.leaked", "pool", "reads"));
        assertThrows(IllegalArgumentException.class, () -> metrics.pool("reads", pool));
    }

    @Test
    void tailEventsAreCountedByKindAndTheLagIsTheBytesBehindTheFileAtThePath() throws Exception {
        Path log = dir.resolve("app.log");
        Files.write(log, bytes(10_000));
        FileIdentity first = identity(log);
        FilefluxMetrics metrics = new FilefluxMetrics(engine);
        TailMetrics tail = metrics.tail("app", log); // before binding: joins the registry when bound
        metrics.bindTo(registry);
        assertTrue(Double.isNaN(gauge("fileflux.tail.lag", "tail", "app")), "nothing reported yet");

        tail.progress(new Checkpoint(first, 4_000));
        assertEquals(6_000, gauge("fileflux.tail.lag", "tail", "app"));
        assertEquals("bytes", registry.get("fileflux.tail.lag").gauge().getId().getBaseUnit());

        Files.move(log, dir.resolve("app.log.1"), StandardCopyOption.ATOMIC_MOVE); // rotated: a new file of 500
        Files.write(log, bytes(500));
        FileIdentity second = identity(log);
        Assumptions.assumeTrue(!second.equals(first), "a new file gets a new identity");
        if (identityVisible(log, second)) {
            assertEquals(500, gauge("fileflux.tail.lag", "tail", "app"), "the whole new file is behind");
        }
        tail.listener().accept(new TailEvent(TailEvent.Kind.ROTATED, log, second, 0));
        assertEquals(500, gauge("fileflux.tail.lag", "tail", "app"));
        tail.listener().accept(new TailEvent(TailEvent.Kind.SKIPPED, log, first, 1_234));
        tail.progress(new Checkpoint(second, 500));
        assertEquals(0, gauge("fileflux.tail.lag", "tail", "app"));
        assertEquals(1, counter("fileflux.tail.events", "tail", "app", "kind", "rotated"));
        assertEquals(1, counter("fileflux.tail.events", "tail", "app", "kind", "skipped"));
        assertEquals(0, counter("fileflux.tail.events", "tail", "app", "kind", "truncated"));
        assertEquals(1_234, counter("fileflux.tail.skipped.bytes", "tail", "app"));

        tail.close();
        assertNull(registry.find("fileflux.tail.lag").tags("tail", "app").gauge(), "closing removes the meters");
        assertNull(registry.find("fileflux.tail.events").tags("tail", "app").functionCounter());
        metrics.tail("app", log).close(); // the name is free again
    }

    @Test
    void aRealTailFedThroughProgressEndsWithNoLag() throws Exception {
        Path log = dir.resolve("lines.log");
        Files.writeString(log, "one\ntwo\nthree\n");
        FilefluxMetrics metrics = new FilefluxMetrics(engine);
        metrics.bindTo(registry);
        try (TailMetrics tail = metrics.tail("lines", log)) {
            long n = FileFlux.tail(log, TailOptions.defaults().engine(engine).follow(false).onEvent(tail.listener()))
                    .doOnNext(tail::progress)
                    .map(c -> (long) c.length()).reduce(0L, Long::sum).block(Duration.ofSeconds(60));
            assertEquals(14, n);
            assertEquals(0, gauge("fileflux.tail.lag", "tail", "lines"));
            Files.writeString(log, "four\n", java.nio.file.StandardOpenOption.APPEND);
            assertEquals(5, gauge("fileflux.tail.lag", "tail", "lines"), "appended and not read");
        }
    }

    @Test
    void tailListenerCountsWithoutALagGauge() {
        FilefluxMetrics metrics = new FilefluxMetrics(engine);
        metrics.bindTo(registry);
        metrics.tailListener("events-only").accept(
                new TailEvent(TailEvent.Kind.TRUNCATED, dir.resolve("x"), new FileIdentity(1, 2), 0));
        assertEquals(1, counter("fileflux.tail.events", "tail", "events-only", "kind", "truncated"));
        assertNull(registry.find("fileflux.tail.lag").tags("tail", "events-only").gauge());
    }

    private FileIdentity identity(Path file) throws IOException {
        FileDevice d = engine.open(file);
        try {
            return d.identity();
        } finally {
            d.closeAsync().join();
        }
    }

    /** True if the file system reports identities the way the engine does (unix:dev and unix:ino). */
    private static boolean identityVisible(Path file, FileIdentity expected) {
        try {
            var unix = Files.readAttributes(file, "unix:dev,ino");
            return expected.equals(new FileIdentity(((Number) unix.get("dev")).longValue(),
                    ((Number) unix.get("ino")).longValue()));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
