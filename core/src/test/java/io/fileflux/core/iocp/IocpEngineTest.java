package io.fileflux.core.iocp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.EngineClosedException;
import io.fileflux.core.FileDevice;
import io.fileflux.core.FileEngine;
import io.fileflux.core.FileIoException;
import io.fileflux.core.IoCallback;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The iocp engine against real files, for real: runs in the Windows JVM (under Wine in CI). */
@EnabledOnOs(OS.WINDOWS)
class IocpEngineTest {

    @TempDir
    Path dir;

    private FileEngine engine;

    @BeforeEach
    void createEngine() {
        engine = new IocpEngineProvider().create();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void readsAFileInChunksThroughDirectAndHeapBuffers() throws Exception {
        byte[] content = randomBytes(300_001, 1);
        Path file = Files.write(dir.resolve("data.bin"), content);
        try (Closer device = new Closer(engine.open(file))) {
            assertTrue(((IocpDevice) device.d).skipsCompletionPortOnSuccess(),
                    "SetFileCompletionNotificationModes(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) accepted");
            for (boolean direct : new boolean[] {true, false}) {
                byte[] got = new byte[content.length];
                long position = 0;
                for (;;) {
                    ByteBuffer buf = direct ? ByteBuffer.allocateDirect(65536) : ByteBuffer.allocate(65536);
                    long at = position;
                    int n = run(cb -> device.d.read(buf, at, cb));
                    if (n == 0) {
                        break;
                    }
                    assertEquals(n, buf.position(), "read advances the buffer by n");
                    buf.flip().get(got, (int) position, n);
                    position += n;
                }
                assertEquals(content.length, position);
                assertArrayEquals(content, got);
            }
        }
    }

    @Test
    void eofAndShortReads() throws Exception {
        Path file = Files.write(dir.resolve("small.txt"), "hello".getBytes(StandardCharsets.US_ASCII));
        try (Closer device = new Closer(engine.open(file))) {
            ByteBuffer buf = ByteBuffer.allocate(100);
            assertEquals(3, run(cb -> device.d.read(buf, 2, cb)), "a read straddling EOF is short");
            assertEquals("llo", new String(buf.array(), 0, 3, StandardCharsets.US_ASCII));
            assertEquals(0, run(cb -> device.d.read(ByteBuffer.allocate(10), 5, cb)), "read at EOF");
            assertEquals(0, run(cb -> device.d.read(ByteBuffer.allocateDirect(10), 1L << 40, cb)),
                    "read far past EOF");
            assertEquals(5, device.d.size());
        }
    }

    @Test
    void offsetsBeyondFourGiB() throws Exception {
        Path file = dir.resolve("sparse.bin");
        long far = (5L << 30) + 12_345;
        byte[] marker = "past four gigabytes".getBytes(StandardCharsets.US_ASCII);
        try (Closer device = new Closer(engine.open(file, Set.of(StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)))) {
            ByteBuffer src = ByteBuffer.wrap(marker);
            assertEquals(marker.length, run(cb -> device.d.write(src, far, cb)));
            assertEquals(marker.length, src.position(), "write advances the buffer by n");
            assertEquals(0, run(cb -> device.d.sync(true, cb)));
            assertEquals(far + marker.length, device.d.size());
            ByteBuffer dst = ByteBuffer.allocateDirect(64);
            assertEquals(marker.length, run(cb -> device.d.read(dst, far, cb)));
            byte[] got = new byte[marker.length];
            dst.flip().get(got);
            assertArrayEquals(marker, got);
            ByteBuffer zeros = ByteBuffer.allocate(4);
            assertEquals(4, run(cb -> device.d.read(zeros, 1L << 32, cb)));
            assertArrayEquals(new byte[4], zeros.array(), "the hole reads as zeros, not byte 0 of the file");
        }
    }

    @Test
    void manyReadsInFlightCompleteWithTheirOwnOffsets() throws Exception {
        byte[] content = randomBytes(64 * 4096, 2);
        Path file = Files.write(dir.resolve("many.bin"), content);
        try (Closer device = new Closer(engine.open(file))) {
            List<ByteBuffer> buffers = new ArrayList<>();
            List<Await> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                ByteBuffer buf = (i % 2 == 0) ? ByteBuffer.allocateDirect(4096) : ByteBuffer.allocate(4096);
                Await await = new Await();
                device.d.read(buf, (long) i * 4096, await);
                buffers.add(buf);
                results.add(await);
            }
            for (int i = 0; i < 64; i++) {
                assertEquals(4096, results.get(i).get());
                byte[] got = new byte[4096];
                buffers.get(i).flip().get(got);
                byte[] want = new byte[4096];
                System.arraycopy(content, i * 4096, want, 0, 4096);
                assertArrayEquals(want, got, "chunk " + i);
            }
            assertEquals(0, device.d.inFlight());
        }
    }

    @Test
    void callbacksRunOnTheCompletionThreadAndMaySubmitMore() throws Exception {
        byte[] content = randomBytes(2000, 3);
        Path file = Files.write(dir.resolve("chain.bin"), content);
        FileDevice device = engine.open(file);
        ByteBuffer buf = ByteBuffer.allocate(content.length);
        CompletableFuture<String> done = new CompletableFuture<>();
        IoCallback chain = new IoCallback() {
            @Override
            public void completed(int bytes) {
                if (!Thread.currentThread().getName().startsWith("fileflux-iocp-")) {
                    done.completeExceptionally(new AssertionError("callback on " + Thread.currentThread()));
                } else if (bytes == 0 || buf.position() == buf.capacity()) {
                    done.complete(Thread.currentThread().getName());
                } else {
                    device.read(buf.limit(Math.min(buf.capacity(), buf.position() + 7)), buf.position(), this);
                }
            }

            @Override
            public void failed(IOException error) {
                done.completeExceptionally(error);
            }
        };
        device.read(buf.limit(7), 0, chain);
        done.get(10, TimeUnit.SECONDS);
        assertArrayEquals(content, buf.array());
        device.closeAsync().get(10, TimeUnit.SECONDS);
    }

    @Test
    void identityIsStableAndChangesOnRotation() throws Exception {
        Path log = Files.write(dir.resolve("app.log"), new byte[] {1});
        FileDevice first = engine.open(log);
        FileDevice again = engine.open(log);
        assertEquals(first.identity(), again.identity());
        // shared for delete: the file can be renamed while it is open (log rotation)
        Files.move(log, dir.resolve("app.log.1"), StandardCopyOption.ATOMIC_MOVE);
        Files.write(log, new byte[] {2});
        FileDevice rotated = engine.open(log);
        assertNotEquals(first.identity(), rotated.identity());
        for (FileDevice d : List.of(first, again, rotated)) {
            d.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void openFailuresMapToJavaNioExceptions() throws Exception {
        assertThrows(NoSuchFileException.class, () -> engine.open(dir.resolve("missing")));
        assertThrows(NoSuchFileException.class, () -> engine.open(dir.resolve("no/such/dir/file")));
        assertThrows(FileSystemException.class, () -> engine.open(dir));
        Path existing = Files.write(dir.resolve("exists"), new byte[0]);
        assertThrows(FileAlreadyExistsException.class, () -> engine.open(existing,
                Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)));
        assertEquals(0, engine.stats().openDevices());
    }

    @Test
    void writeOnAReadOnlyHandleFailsWithTheWin32Code() throws Exception {
        Path file = Files.write(dir.resolve("ro.bin"), new byte[10]);
        try (Closer device = new Closer(engine.open(file, Set.of(StandardOpenOption.READ)))) {
            assertThrows(IllegalStateException.class,
                    () -> device.d.write(ByteBuffer.wrap(new byte[1]), 0, new Await()));
        }
        try (Closer device = new Closer(engine.open(file, Set.of(StandardOpenOption.WRITE)))) {
            Await await = new Await();
            device.d.read(ByteBuffer.allocate(4), 0, await);
            FileIoException e = assertThrows(FileIoException.class, await::get);
            assertEquals(Win32.ERROR_ACCESS_DENIED, e.errorCode());
            assertEquals("ERROR_ACCESS_DENIED", e.errorName());
            assertEquals(0, e.offset());
        }
    }

    @Test
    void closeWaitsForTheLastCompletion() throws Exception {
        Path file = Files.write(dir.resolve("close.bin"), randomBytes(1 << 20, 4));
        FileDevice device = engine.open(file);
        Await await = new Await();
        device.read(ByteBuffer.allocateDirect(1 << 20), 0, await);
        CompletableFuture<Void> closed = device.closeAsync();
        assertThrows(IllegalStateException.class, () -> device.read(ByteBuffer.allocate(1), 0, new Await()));
        assertEquals(1 << 20, await.get());
        closed.get(10, TimeUnit.SECONDS);
        assertEquals(0, engine.stats().openDevices());
        assertEquals(0, engine.stats().inFlight());
    }

    // ---- named pipes: reads that only a cancel (or the writer) can finish ----

    @Test
    void cancellingAPendingPipeReadDeliversTheAbortAndClosesBothHandles() throws Exception {
        try (PipeServer pipe = new PipeServer()) {
            FileDevice device = engine.open(pipe.path());
            ByteBuffer buf = ByteBuffer.allocateDirect(512);
            Await await = new Await();
            // ReadFile was called on this thread before read() returned: the read is in the kernel now
            IoOperation op = device.read(buf, 0, await);
            assertTrue(!await.isDone() && !op.isDone(), "the writer never writes: the read pends");
            assertEquals(1, device.inFlight());
            op.cancel();
            op.cancel(); // a second cancel is harmless
            IoCancelledException e = assertThrows(IoCancelledException.class, await::get);
            assertEquals(Win32.ERROR_OPERATION_ABORTED, e.errorCode());
            assertEquals("ERROR_OPERATION_ABORTED", e.errorName());
            assertTrue(op.isDone());
            assertEquals(0, buf.position(), "nothing was read");
            assertEquals(0, device.inFlight());
            assertEquals(0, engine.stats().inFlight(), "the engine holds no op: the buffer is released");
            assertEquals(1, engine.stats().cancelled());
            device.closeAsync().get(10, TimeUnit.SECONDS);
            assertEquals(0, engine.stats().openDevices(), "the client handle is closed");
            assertTrue(pipe.closeServer(), "the server handle is closed");
        }
    }

    @Test
    void closingThePipeWriterEndsAPendingReadAsEndOfFile() throws Exception {
        try (PipeServer pipe = new PipeServer()) {
            FileDevice device = engine.open(pipe.path());
            Await await = new Await();
            // ReadFile was called on this thread before read() returned: the read pends in the kernel
            // (nobody writes) when the server closes
            device.read(ByteBuffer.allocate(64), 0, await);
            assertTrue(!await.isDone(), "the writer never writes: the read pends");
            assertTrue(pipe.closeServer());
            assertEquals(0, await.get(), "ERROR_BROKEN_PIPE is the end of the stream");
            device.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void cancelsRacingRealCompletionsEndEveryReadExactlyOnce() throws Exception {
        int pipes = 16;
        java.util.concurrent.ExecutorService racers = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 10; round++) {
                List<PipeServer> servers = new ArrayList<>();
                List<FileDevice> devices = new ArrayList<>();
                List<Await> results = new ArrayList<>();
                List<ByteBuffer> buffers = new ArrayList<>();
                List<CompletableFuture<?>> races = new ArrayList<>();
                for (int i = 0; i < pipes; i++) {
                    PipeServer server = new PipeServer();
                    FileDevice device = engine.open(server.path());
                    ByteBuffer buf = ByteBuffer.allocate(8);
                    Await await = new Await();
                    IoOperation op = device.read(buf, 0, await);
                    servers.add(server);
                    devices.add(device);
                    results.add(await);
                    buffers.add(buf);
                    byte value = (byte) i;
                    races.add(CompletableFuture.runAsync(() -> server.write(new byte[] {value}), racers));
                    races.add(CompletableFuture.runAsync(op::cancel, racers));
                }
                CompletableFuture.allOf(races.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
                for (int i = 0; i < pipes; i++) {
                    try {
                        assertEquals(1, results.get(i).get(), "the write won the race");
                        assertEquals((byte) i, buffers.get(i).get(0));
                    } catch (IoCancelledException e) {
                        assertEquals(0, buffers.get(i).position(), "the cancel won: nothing read");
                    }
                }
                for (int i = 0; i < pipes; i++) {
                    devices.get(i).closeAsync().get(10, TimeUnit.SECONDS);
                    servers.get(i).close();
                }
                assertEquals(0, engine.stats().inFlight());
                assertEquals(0, engine.stats().openDevices());
            }
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    void cancelAfterCompletionIsANormalRace() throws Exception {
        Path file = Files.write(dir.resolve("race.bin"), randomBytes(100, 5));
        try (Closer device = new Closer(engine.open(file))) {
            Await await = new Await();
            IoOperation op = device.d.read(ByteBuffer.allocate(100), 0, await);
            assertEquals(100, await.get());
            op.cancel(); // CancelIoEx answers ERROR_NOT_FOUND: ignored
            assertEquals(0, engine.stats().cancelled());
        }
    }

    @Test
    void closingTheEngineCancelsWhatIsInFlight() throws Exception {
        try (PipeServer pipe = new PipeServer()) {
            FileDevice device = engine.open(pipe.path());
            Await await = new Await();
            device.read(ByteBuffer.allocate(64), 0, await);
            engine.close();
            assertThrows(EngineClosedException.class, await::get);
            device.closeAsync().get(10, TimeUnit.SECONDS);
            assertThrows(IllegalStateException.class, () -> engine.open(pipe.path()));
        }
    }

    // ---- helpers ----

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Submits one operation and waits for its outcome (an IOException is rethrown as it is). */
    static int run(java.util.function.Function<IoCallback, IoOperation> submit) throws IOException {
        Await await = new Await();
        submit.apply(await);
        return await.get();
    }

    /** An {@link IoCallback} one can wait on; fails the test if called twice. */
    static final class Await implements IoCallback {
        private final CompletableFuture<Integer> result = new CompletableFuture<>();

        @Override
        public void completed(int bytes) {
            if (!result.complete(bytes)) {
                throw new AssertionError("callback ran twice");
            }
        }

        @Override
        public void failed(IOException error) {
            if (!result.completeExceptionally(error)) {
                throw new AssertionError("callback ran twice");
            }
        }

        boolean isDone() {
            return result.isDone();
        }

        int get() throws IOException {
            try {
                return result.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException) {
                    throw (IOException) cause;
                }
                throw new AssertionError(cause);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Closes a device at the end of a try block and waits for the handle to be closed. */
    static final class Closer implements AutoCloseable {
        final FileDevice d;

        Closer(FileDevice d) {
            this.d = d;
        }

        @Override
        public void close() {
            d.closeAsync().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }
}
