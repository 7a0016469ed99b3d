package io.fileflux.reactor.tail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The default {@link CheckpointStore}: one checkpoint kept in a small text file, replaced atomically
 * (the new content is written to a temporary file beside it, forced to disk, then renamed over the old
 * one), so a crash leaves either the old or the new checkpoint, never a torn one.
 *
 * <p>Threading: {@link #load()} and {@link #save(Checkpoint)} are synchronized and block on file
 * I/O; call them from a thread that may block (the {@link Checkpointer} calls {@code save} on the
 * thread that acknowledges). Ownership: the store owns its file and the {@code .tmp} beside it.
 */
final class FileCheckpointStore implements CheckpointStore {

    private static final String HEADER = "fileflux-checkpoint 1 ";

    private final Path file;
    private final Path temp;

    FileCheckpointStore(Path file) {
        this.file = file;
        this.temp = file.resolveSibling(file.getFileName() + ".tmp");
    }

    /** The store's file. */
    Path path() {
        return file;
    }

    @Override
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

    @Override
    public synchronized void save(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        byte[] bytes = (HEADER + checkpoint + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            AtomicFiles.write(temp, file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "CheckpointStore[" + file + "]";
    }
}
