package io.fileflux.reactor.tail;

import io.fileflux.core.FileDevice;
import java.util.ArrayDeque;
import reactor.core.publisher.Mono;

/**
 * Where the last N lines of a file begin (like {@code tail -n}), found with asynchronous reads: backwards
 * from the end one block at a time for a file with a size, forwards to the end for a file that reports
 * none ({@code /proc} files have size 0 and content). An unterminated last line counts as a line; a
 * file with fewer lines starts at 0. Stateless; each call owns its buffers.
 */
final class LastLines {

    static final int BLOCK = 64 * 1024;

    private LastLines() {
    }

    /** The offset where the last {@code n} lines of {@code device} (of {@code size} bytes) begin. */
    static Mono<Long> start(FileDevice device, long size, long n) {
        if (n <= 0) {
            return Mono.just(size);
        }
        return size > 0 ? backwards(device, size, size, n, 0) : forwards(device, 0, n, new ArrayDeque<>());
    }

    /** Scans the block before {@code end}; {@code found} newlines were counted after it. */
    private static Mono<Long> backwards(FileDevice device, long size, long end, long n, long found) {
        int len = (int) Math.min(BLOCK, end);
        long from = end - len;
        return DeviceReads.read(device, from, len).flatMap(buf -> {
            if (buf.remaining() < len) {
                return Mono.error(new java.io.IOException(device.path()
                        + ": file shrank while looking for the last lines"));
            }
            long count = found;
            for (int i = len - 1; i >= 0; i--) {
                if (buf.get(i) == '\n' && from + i != size - 1 && ++count == n) {
                    return Mono.just(from + i + 1);
                }
            }
            return from == 0 ? Mono.just(0L) : backwards(device, size, from, n, count);
        });
    }

    /**
     * Reads forwards from {@code offset} to the end, keeping the offsets of the last {@code n + 1}
     * newlines seen (one more, in case the last byte of the file is a newline: it ends the last line).
     */
    private static Mono<Long> forwards(FileDevice device, long offset, long n, ArrayDeque<Long> newlines) {
        return DeviceReads.read(device, offset, BLOCK).flatMap(buf -> {
            int len = buf.remaining();
            for (int i = 0; i < len; i++) {
                if (buf.get(i) == '\n') {
                    newlines.addLast(offset + i);
                    if (newlines.size() > n + 1) {
                        newlines.removeFirst();
                    }
                }
            }
            if (len == BLOCK) {
                return forwards(device, offset + len, n, newlines);
            }
            long end = offset + len;
            if (!newlines.isEmpty() && newlines.peekLast() == end - 1) {
                newlines.removeLast();
            }
            return Mono.just(newlines.size() >= n ? nth(newlines, newlines.size() - n) + 1 : 0L);
        });
    }

    private static long nth(ArrayDeque<Long> q, long index) {
        long i = 0;
        for (long v : q) {
            if (i++ == index) {
                return v;
            }
        }
        throw new IllegalStateException("index " + index + " of " + q.size());
    }
}
