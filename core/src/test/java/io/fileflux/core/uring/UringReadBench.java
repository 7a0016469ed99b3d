package io.fileflux.core.uring;

import io.fileflux.core.FileDevice;
import io.fileflux.core.IoCallback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A manual benchmark (not a test): reads a warm file through the device API with N reads in flight,
 * each callback consuming its chunk (summing longs) and submitting the next read — the read
 * publisher's pattern — versus {@code FileChannel.read} into one direct buffer.
 *
 * <p>{@code java -cp ... io.fileflux.core.uring.UringReadBench FILE CHUNK INFLIGHT ROUNDS}; set
 * {@code -Dfileflux.uring.async=always|never|BYTES} to compare where the copy runs.
 */
public final class UringReadBench {

    static volatile long sink;

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int chunk = Integer.parseInt(args[1]);
        int inFlight = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        int workers = Integer.getInteger("workers", 1);
        try (IoUringEngine inline = new IoUringEngine(256, Integer.MAX_VALUE, workers);
             IoUringEngine async = new IoUringEngine(256, 0, workers)) {
            double[] sum = new double[2];
            for (int r = 0; r < rounds; r++) {
                double base = fileChannel(file, chunk);
                double a = uring(inline, file, chunk, inFlight);
                double b = uring(async, file, chunk, inFlight);
                double base2 = fileChannel(file, chunk);
                double avg = (base + base2) / 2;
                if (r > 0) {
                    sum[0] += a / avg;
                    sum[1] += b / avg;
                }
                System.out.printf("chunk %d KiB, %d in flight: FileChannel %.2f GB/s, inline %.2f GB/s (%.2f), "
                        + "IOSQE_ASYNC %.2f GB/s (%.2f)%n", chunk >> 10, inFlight, avg, a, a / avg, b, b / avg);
            }
            System.out.printf("mean ratio after warm-up: inline %.2f, IOSQE_ASYNC %.2f%n",
                    sum[0] / (rounds - 1), sum[1] / (rounds - 1));
        }
    }

    static long consume(ByteBuffer b) {
        ByteBuffer l = b.order(ByteOrder.nativeOrder());
        long s = 0;
        int n = l.limit() & ~7;
        for (int i = l.position(); i < n; i += 8) {
            s += l.getLong(i);
        }
        return s;
    }

    static double fileChannel(Path file, int chunk) throws IOException {
        long t0 = System.nanoTime();
        long total = 0;
        long s = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(chunk);
            for (;;) {
                b.clear();
                int n = ch.read(b);
                if (n < 0) {
                    break;
                }
                b.flip();
                s += consume(b);
                total += n;
            }
        }
        sink = s;
        return total / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }

    static double uring(IoUringEngine engine, Path file, int chunk, int inFlight) throws Exception {
        long t0 = System.nanoTime();
        FileDevice dev = engine.open(file);
        long size = dev.size();
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] next = {0};
        long[] sum = {0};
        AtomicInteger active = new AtomicInteger(inFlight);
        for (int l = 0; l < inFlight; l++) {
            ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
            new IoCallback() {
                void submit() {
                    long pos;
                    synchronized (next) {
                        pos = next[0];
                        next[0] += chunk;
                    }
                    if (pos >= size) {
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
                    sum[0] += consume(buf);
                    submit();
                }

                @Override
                public void failed(IOException error) {
                    done.completeExceptionally(error);
                }
            }.submit();
        }
        done.get();
        dev.closeAsync().get();
        sink = sum[0];
        return size / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }
}
