package io.fileflux.core.uring;

import io.fileflux.core.DeviceReads.Result;

import static io.fileflux.core.DeviceReads.Result;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.FileDevice;
import io.fileflux.core.FileIdentity;
import io.fileflux.core.FileIoException;
import io.fileflux.core.FilefluxOption;
import io.fileflux.core.IoCallback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads, writes, syncs, errors and direct I/O on the io_uring engine, against real files. */
class IoUringEngineTest {

    @TempDir
    Path dir;
    IoUringEngine engine;

    @BeforeEach
    void start() {
        IoUringTestSupport.assumeIoUring();
        engine = newEngine();
    }

    /** The engine under test: a plain ring here; {@code DeferTaskrun} subclasses run every test on the other kind. */
    IoUringEngine newEngine() {
        return new IoUringEngine(16);
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
            assertFalse(engine.isRunning(), "completion thread still running after close");
            assertEquals(0, engine.stats().openDevices());
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void readsWithManyOpsInFlightOnTheCompletionThread() throws Exception {
        byte[] data = random(1 << 20, 1);
        Path f = Files.write(dir.resolve("data"), data);
        FileDevice dev = engine.open(f);
        int chunk = 64 << 10;
        Result[] results = new Result[data.length / chunk];
        ByteBuffer[] bufs = new ByteBuffer[results.length];
        for (int i = 0; i < results.length; i++) {
            bufs[i] = ByteBuffer.allocateDirect(chunk);
            results[i] = new Result();
            dev.read(bufs[i], (long) i * chunk, results[i]);
        }
        for (int i = 0; i < results.length; i++) {
            assertEquals(chunk, results[i].get());
            assertTrue(results[i].thread.getName().startsWith("fileflux-uring-"), results[i].thread.getName());
            byte[] got = new byte[chunk];
            bufs[i].flip().get(got);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, i * chunk, (i + 1) * chunk), got);
        }
        Result eof = new Result();
        dev.read(ByteBuffer.allocateDirect(10), data.length, eof);
        assertEquals(0, eof.get(), "EOF reads 0");
        Result shortRead = new Result();
        ByteBuffer tail = ByteBuffer.allocateDirect(100);
        dev.read(tail, data.length - 10, shortRead);
        assertEquals(10, shortRead.get());
        assertEquals(10, tail.position());
        assertEquals(data.length, dev.size());
        dev.closeAsync().get(5, TimeUnit.SECONDS);
        assertEquals(1, results[0].calls.get());
    }

    @Test
    void heapBuffersWorkThroughBounceBuffers() throws Exception {
        Path f = dir.resolve("heap");
        FileDevice dev = engine.open(f, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE_NEW));
        byte[] data = random(10_000, 2);
        ByteBuffer src = ByteBuffer.wrap(data);
        Result w = new Result();
        dev.write(src, 1L << 32, w); // beyond 4 GiB: a sparse file, 64-bit offsets
        assertEquals(data.length, w.get());
        assertEquals(data.length, src.position());
        Result s = new Result();
        dev.sync(false, s);
        assertEquals(0, s.get());
        ByteBuffer dst = ByteBuffer.allocate(20_000).position(7);
        Result r = new Result();
        dev.read(dst, 1L << 32, r);
        assertEquals(data.length, r.get());
        assertEquals(7 + data.length, dst.position());
        assertArrayEquals(data, java.util.Arrays.copyOfRange(dst.array(), 7, 7 + data.length));
        assertEquals((1L << 32) + data.length, dev.size());
        Result fsync = new Result();
        dev.sync(true, fsync);
        assertEquals(0, fsync.get());
        dev.closeAsync().get(5, TimeUnit.SECONDS);
    }

    @Test
    void callbacksSubmitTheNextReadLikeThePublisher() throws Exception {
        byte[] data = random(3 << 20, 3);
        Path f = Files.write(dir.resolve("chain"), data);
        FileDevice dev = engine.open(f);
        int chunk = 16 << 10;
        ByteBuffer out = ByteBuffer.allocate(data.length);
        CompletableFuture<Void> done = new CompletableFuture<>();
        int lanes = 8;
        java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger(lanes);
        for (int l = 0; l < lanes; l++) {
            ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
            IoCallback cb = new IoCallback() {
                long pos;

                void submitNext() {
                    pos = next.getAndAdd(chunk);
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
                    buf.flip();
                    synchronized (out) {
                        out.put((int) pos, buf, 0, bytes);
                    }
                    if (bytes < chunk && pos + bytes < data.length) {
                        done.completeExceptionally(new AssertionError("unexpected short read"));
                        return;
                    }
                    submitNext();
                }

                @Override
                public void failed(IOException error) {
                    done.completeExceptionally(error);
                }

                IoCallback start() {
                    submitNext();
                    return this;
                }
            }.start();
        }
        done.get(20, TimeUnit.SECONDS);
        assertArrayEquals(data, out.array());
        dev.closeAsync().get(5, TimeUnit.SECONDS);
    }

    @Test
    void identityIsDevAndInodeAndSizeIsFstat() throws Exception {
        Path f = Files.write(dir.resolve("id"), new byte[123]);
        FileDevice dev = engine.open(f);
        Map<String, Object> unix = Files.readAttributes(f, "unix:dev,ino");
        assertEquals(new FileIdentity(((Number) unix.get("dev")).longValue(), ((Number) unix.get("ino")).longValue()),
                dev.identity());
        assertEquals(123, dev.size());
        Path g = Files.write(dir.resolve("other"), new byte[1]);
        FileDevice other = engine.open(g);
        assertNotEquals(dev.identity(), other.identity());
        dev.closeAsync().get(5, TimeUnit.SECONDS);
        other.closeAsync().get(5, TimeUnit.SECONDS);
        assertThrows(IOException.class, dev::size);
    }

    @Test
    void openErrorsMapToJavaNioExceptions() throws Exception {
        assertThrows(NoSuchFileException.class, () -> engine.open(dir.resolve("missing")));
        FileSystemException isDir = assertThrows(FileSystemException.class, () -> engine.open(dir));
        assertEquals("Is a directory", isDir.getReason());
        FileSystemException isDirW = assertThrows(FileSystemException.class,
                () -> engine.open(dir, Set.of(StandardOpenOption.WRITE)));
        assertEquals("Is a directory", isDirW.getReason());
        Path f = Files.write(dir.resolve("exists"), new byte[1]);
        assertThrows(FileAlreadyExistsException.class,
                () -> engine.open(f, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)));
        FileSystemException notDir = assertThrows(FileSystemException.class, () -> engine.open(f.resolve("x")));
        assertEquals("Not a directory", notDir.getReason());
        Path link = Files.createSymbolicLink(dir.resolve("link"), f);
        FileSystemException loop = assertThrows(FileSystemException.class,
                () -> engine.open(link, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
        assertTrue(loop.getReason().contains("symbolic link"), loop.getReason());
        if (!"root".equals(System.getProperty("user.name"))) {
            Path secret = Files.write(dir.resolve("secret"), new byte[1]);
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
            assertThrows(AccessDeniedException.class, () -> engine.open(secret));
        }
        Path created = dir.resolve("created");
        engine.open(created, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")))
                .closeAsync().get(5, TimeUnit.SECONDS);
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(created)));
        IoUringTestSupport.awaitZero(() -> engine.stats().openDevices());
    }

    @Test
    void ioErrorsCarryErrnoPathAndOffset() throws Exception {
        Path f = Files.write(dir.resolve("wronly"), new byte[100]);
        FileDevice dev = engine.open(f, Set.of(StandardOpenOption.WRITE));
        Result r = new Result();
        dev.read(ByteBuffer.allocateDirect(10), 40, r); // read on an O_WRONLY fd: EBADF from the kernel
        FileIoException e = assertInstanceOf(FileIoException.class, r.error());
        assertEquals(Errno.EBADF, e.errorCode());
        assertEquals("EBADF", e.errorName());
        assertEquals(40, e.offset());
        assertEquals(f, e.path());
        assertEquals("read", e.operation());
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
        dev.closeAsync().get(5, TimeUnit.SECONDS);
        assertEquals("EIO", Errno.name(5));
        assertEquals("ECANCELED", Errno.name(125));
        assertEquals("errno 999", Errno.name(999));
    }

    @Test
    void directIoReadsAlignedAndRefusesMisaligned() throws Exception {
        byte[] data = random(64 << 10, 4);
        Path f = Files.write(dir.resolve("direct"), data);
        FileDevice dev;
        try {
            dev = engine.open(f, Set.of(StandardOpenOption.READ, FilefluxOption.DIRECT));
        } catch (FileSystemException e) {
            assertTrue(e.getReason().contains("O_DIRECT"), e.getReason());
            return; // this file system refuses O_DIRECT: the error says so
        }
        ByteBuffer aligned = ByteBuffer.allocateDirect(16384 + 4095).alignedSlice(4096);
        Result r = new Result();
        dev.read(aligned, 8192, r);
        assertEquals(16384, r.get());
        byte[] got = new byte[16384];
        aligned.flip().get(got);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 8192, 8192 + 16384), got);
        Result heap = new Result();
        ByteBuffer h = ByteBuffer.allocate(4096);
        dev.read(h, 0, heap);
        assertEquals(4096, heap.get());
        assertArrayEquals(java.util.Arrays.copyOf(data, 4096), h.array());
        assertThrows(IllegalArgumentException.class, () -> dev.read(aligned.clear(), 100, new Result()));
        assertThrows(IllegalArgumentException.class, () -> dev.read(aligned.clear().limit(1000), 0, new Result()));
        assertThrows(IllegalArgumentException.class,
                () -> dev.read(aligned.clear().position(512).limit(4608), 0, new Result()));
        IoUringTestSupport.awaitZero(dev::inFlight); // released just after the callback returns
        dev.closeAsync().get(5, TimeUnit.SECONDS);
    }

    @Test
    void engineCloseClosesDevicesStopsTheThreadAndRefusesWork() throws Exception {
        Path f = Files.write(dir.resolve("c"), new byte[10]);
        FileDevice dev = engine.open(f);
        Thread t = engine.completionThread();
        assertTrue(t.isDaemon());
        engine.close();
        assertFalse(t.isAlive());
        assertTrue(dev.isClosing());
        dev.closeAsync().get(1, TimeUnit.SECONDS);
        IoUringTestSupport.awaitZero(() -> engine.stats().openDevices());
        assertThrows(IllegalStateException.class, () -> engine.open(f));
        assertThrows(IllegalStateException.class, () -> dev.read(ByteBuffer.allocateDirect(1), 0, new Result()));
        engine.close(); // twice is harmless
    }

    @Test
    void engineCloseFromACallbackDoesNotDeadlock() throws Exception {
        Path f = Files.write(dir.resolve("cb"), new byte[10]);
        FileDevice dev = engine.open(f);
        CompletableFuture<Void> closedInside = new CompletableFuture<>();
        dev.read(ByteBuffer.allocateDirect(10), 0, new IoCallback() {
            @Override
            public void completed(int bytes) {
                engine.close();
                closedInside.complete(null);
            }

            @Override
            public void failed(IOException error) {
                closedInside.completeExceptionally(error);
            }
        });
        closedInside.get(5, TimeUnit.SECONDS);
        engine.completionThread().join(5000);
        assertFalse(engine.isRunning());
    }

    @Test
    void asyncPolicyParses() {
        assertEquals(512 * 1024, IoUringEngine.parseAsyncThreshold(null), "default: inline below 512 KiB");
        assertEquals(0, IoUringEngine.parseAsyncThreshold("always"));
        assertEquals(Integer.MAX_VALUE, IoUringEngine.parseAsyncThreshold("never"));
        assertEquals(65536, IoUringEngine.parseAsyncThreshold("65536"));
        assertThrows(IllegalArgumentException.class, () -> IoUringEngine.parseAsyncThreshold("sometimes"));
        assertSame(IoUringEngine.NAME, engine.name());
    }
}
