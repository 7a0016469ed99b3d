package io.fileflux.core.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fileflux.core.DeviceReads;
import io.fileflux.core.EngineClosedException;
import io.fileflux.core.FileDevice;
import io.fileflux.core.IoCancelledException;
import io.fileflux.core.IoOperation;
import io.fileflux.core.TestFiles;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nio engine's pipes: reads waiting on a FIFO run on threads of their own and end cleanly. */
class NioEngineTest {

    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /**
     * Issue 11, reproduction 6: as many FIFO reads waiting for a writer as the engine has pool threads
     * once held every thread, and a file read on the same engine waited until they ended. The file
     * read now completes while every FIFO read is still waiting.
     */
    @Test
    void fifoReadsWaitingForAWriterDoNotHoldBackAFileReadOnTheSameEngine() throws Exception {
        int poolThreads = 4;
        NioEngine engine = new NioEngine(poolThreads);
        List<RandomAccessFile> silentWriters = new ArrayList<>();
        List<FileDevice> fifos = new ArrayList<>();
        List<DeviceReads.Result> fifoReads = new ArrayList<>();
        try {
            for (int i = 0; i < poolThreads; i++) {
                Path fifo = dir.resolve("fifo" + i);
                assumeTrue(TestFiles.mkfifo(fifo), "named pipes of the POSIX kind");
                silentWriters.add(new RandomAccessFile(fifo.toFile(), "rw")); // never writes
                FileDevice d = engine.open(fifo);
                DeviceReads.Result r = new DeviceReads.Result();
                d.read(ByteBuffer.allocate(64), 0, r);
                fifos.add(d);
                fifoReads.add(r);
            }
            Path file = dir.resolve("big");
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(64L << 20);
            }
            FileDevice big = engine.open(file);
            DeviceReads.Result fileRead = new DeviceReads.Result();
            big.read(ByteBuffer.allocateDirect(1 << 20), 0, fileRead);
            assertEquals(1 << 20, fileRead.future.get(BOUND.toSeconds(), TimeUnit.SECONDS),
                    "the file read completed");
            for (DeviceReads.Result r : fifoReads) {
                assertFalse(r.isDone(), "every FIFO read still waits for its writer");
            }
            big.closeAsync().get(10, TimeUnit.SECONDS);
        } finally {
            engine.close();
            for (RandomAccessFile w : silentWriters) {
                w.close();
            }
        }
        for (DeviceReads.Result r : fifoReads) {
            assertInstanceOf(EngineClosedException.class, r.error());
        }
        for (FileDevice d : fifos) {
            d.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Cancelling a FIFO read that waits for a writer, and closing the engine with another one waiting,
     * end both exactly once and leave no descriptor and no thread of the engine behind.
     */
    @Test
    void cancelAndEngineCloseEndBlockedFifoReadsLeavingNoThreadOrDescriptor() throws Exception {
        Path cancelled = dir.resolve("cancelled");
        Path abandoned = dir.resolve("abandoned");
        assumeTrue(TestFiles.mkfifo(cancelled) && TestFiles.mkfifo(abandoned), "named pipes of the POSIX kind");
        Path file = dir.resolve("file");
        TestFiles.create(file, 4096, 1);
        var fdsBefore = TestFiles.fdSnapshot();
        NioEngine engine = new NioEngine(2);
        try (RandomAccessFile w1 = new RandomAccessFile(cancelled.toFile(), "rw");
             RandomAccessFile w2 = new RandomAccessFile(abandoned.toFile(), "rw")) {
            FileDevice regular = engine.open(file);
            assertEquals(4096, DeviceReads.read(regular, ByteBuffer.allocate(8192), 0), "a pool thread started");
            FileDevice first = engine.open(cancelled);
            DeviceReads.Result r1 = new DeviceReads.Result();
            IoOperation op = first.read(ByteBuffer.allocate(64), 0, r1);
            FileDevice second = engine.open(abandoned);
            DeviceReads.Result r2 = new DeviceReads.Result();
            second.read(ByteBuffer.allocate(64), 0, r2);

            op.cancel();
            assertInstanceOf(IoCancelledException.class, r1.error());
            first.closeAsync().get(10, TimeUnit.SECONDS);
            assertFalse(r2.isDone(), "the other FIFO read still waits");

            engine.close();
            assertInstanceOf(EngineClosedException.class, r2.error());
            second.closeAsync().get(10, TimeUnit.SECONDS);
            regular.closeAsync().get(10, TimeUnit.SECONDS);
            assertEquals(1, r1.calls.get());
            assertEquals(1, r2.calls.get());
            assertEquals(0, engine.stats().openDevices());
            assertEquals(0, engine.stats().inFlight());
        }
        assertEquals(List.of(), TestFiles.fdsOpenedSince(fdsBefore), "no descriptor left behind");
        TestFiles.await(BOUND, "every thread of the closed engine ended", () -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(t -> t.isAlive() && t.getName().startsWith(engine.threadPrefix())));
        assertTrue(engine.streamThreads().getPoolSize() == 0 && engine.pool().isTerminated());
    }
}
