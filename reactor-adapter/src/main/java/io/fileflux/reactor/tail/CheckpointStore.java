package io.fileflux.reactor.tail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

/**
 * A checkpoint kept in a small text file, replaced atomically: the new content is written to a
 * temporary file beside it, forced to disk, then renamed over the old one, so a crash leaves either
 * the old or the new checkpoint, never a torn one.
 *
 * <p>Threading: {@link #load()} and {@link #save(Checkpoint)} are synchronized and block on file
 * I/O; call them from a thread that may block (the {@link Checkpointer} calls {@code save} on the
 * thread that acknowledges). Ownership: the store owns its file and the {@code .tmp} beside it.
 */
public final class CheckpointStore {

    private static final String HEADER = "fileflux-checkpoint 1 ";

    private final Path file;
    private final Path temp;

    private CheckpointStore(Path file) {
        this.file = file;
        this.temp = file.resolveSibling(file.getFileName() + ".tmp");
    }

    /** A store in {@code file} (created on the first save). */
    public static CheckpointStore file(Path file) {
        Objects.requireNonNull(file, "file");
        return new CheckpointStore(file.toAbsolutePath());
    }

    /** The store's file. */
    public Path path() {
        return file;
    }

    /**
     * The saved checkpoint, or empty if none was saved yet.
     *
     * @throws UncheckedIOException if the file cannot be read or is not a checkpoint
     */
    public synchronized Optional<Checkpoint> load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!text.startsWith(HEADER)) {
            throw new UncheckedIOException(new IOException(file + ": not a fileflux checkpoint file"
                    + (text.isEmpty() ? " (empty)" : "")));
        }
        try {
            return Optional.of(Checkpoint.parse(text.substring(HEADER.length()).trim()));
        } catch (IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException(file + ": " + e.getMessage(), e));
        }
    }

    /**
     * Replaces the saved checkpoint atomically (temp file, force, rename).
     *
     * @throws UncheckedIOException if writing fails; the previous checkpoint then stays in place
     */
    public synchronized void save(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        byte[] bytes = (HEADER + checkpoint + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "CheckpointStore[" + file + "]";
    }
}
