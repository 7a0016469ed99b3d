package io.fileflux.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking helpers over the callback API, for tests only. */
public final class DeviceReads {

    private DeviceReads() {
    }

    /** Result of one operation: bytes transferred, or the failure. */
    public static final class Result implements IoCallback {
        public final CompletableFuture<Integer> future = new CompletableFuture<>();
        /** How many times a callback method ran (the contract: exactly once). */
        public final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        public volatile Thread thread;

        @Override
        public void completed(int bytes) {
            thread = Thread.currentThread();
            calls.incrementAndGet();
            future.complete(bytes);
        }

        @Override
        public void failed(IOException error) {
            thread = Thread.currentThread();
            calls.incrementAndGet();
            future.completeExceptionally(error);
        }

        /** The failure, or null if the operation completed; waits up to 10 s. */
        public Throwable error() throws Exception {
            try {
                future.get(10, TimeUnit.SECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }

        public int get() throws IOException {
            try {
                return future.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new AssertionError(e.getCause());
            } catch (InterruptedException | TimeoutException e) {
                throw new AssertionError("operation did not complete: " + e);
            }
        }

        public boolean isDone() {
            return future.isDone();
        }

        /** The thread the callback ran on. */
        public Thread thread() {
            return thread;
        }
    }

    /** One read of up to {@code dst.remaining()} bytes at {@code position}, waited for. */
    public static int read(FileDevice device, ByteBuffer dst, long position) throws IOException {
        Result r = new Result();
        device.read(dst, position, r);
        return r.get();
    }

    /** One write at {@code position}, waited for. */
    public static int write(FileDevice device, ByteBuffer src, long position) throws IOException {
        Result r = new Result();
        device.write(src, position, r);
        return r.get();
    }

    /** Writes all of {@code src} at {@code position}, continuing short writes. */
    public static void writeFully(FileDevice device, ByteBuffer src, long position) throws IOException {
        long pos = position;
        while (src.hasRemaining()) {
            pos += write(device, src, pos);
        }
    }

    /**
     * Reads {@code [position, position + length)} (or to EOF) with {@code chunk}-sized reads, sequentially,
     * continuing short reads, and returns the bytes.
     */
    public static byte[] readRange(FileDevice device, long position, long length, int chunk, boolean direct)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long pos = position;
        long end = length < 0 ? Long.MAX_VALUE : position + length;
        while (pos < end) {
            int want = (int) Math.min(chunk, end - pos);
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(want) : ByteBuffer.allocate(want);
            int n = read(device, b, pos);
            if (n == 0) {
                break;
            }
            b.flip();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.write(bytes, 0, bytes.length);
            pos += n;
        }
        return out.toByteArray();
    }
}
