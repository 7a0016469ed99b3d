package io.fileflux.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/** Creates benchmark input files of pseudo-random bytes, and warms them into the page cache. */
final class TestFiles {

    private TestFiles() {
    }

    /** Makes sure {@code file} exists with exactly {@code size} bytes; writes it if not. */
    static void ensure(Path file, long size, Progress progress) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) == size) {
            return;
        }
        progress.note("writing " + Units.bytes(size) + " of random bytes to " + file);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        SplittableRandom random = new SplittableRandom(42);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < size; ) {
                buf.clear();
                while (buf.remaining() >= 8) {
                    buf.putLong(random.nextLong());
                }
                buf.flip().limit((int) Math.min(buf.limit(), size - written));
                while (buf.hasRemaining()) {
                    written += ch.write(buf);
                }
            }
        }
    }

    /** Reads the whole file once so that it is in the page cache. */
    static void warm(Path file) throws IOException {
        byte[] b = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            while (in.read(b) >= 0) {
                // only to pull the pages in
            }
        }
    }
}
