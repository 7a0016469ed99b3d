package io.fileflux.reactor.tail;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a {@link Checkpointer} keeps the checkpoint of one followed file across restarts (a service
 * provider interface). Two implementations come with Fileflux: {@link #file(Path)}, one checkpoint in
 * a small file of its own, and {@link CheckpointRegistry#store(Path)}, one entry of a file holding the
 * checkpoints of many followed files. Both replace their file atomically, so a crash at any point
 * leaves the previous or the new checkpoint.
 *
 * <p>An implementation must make {@link #save} durable before it returns (what it saved is what a
 * later {@link #load} returns, also after a crash of the process) and must never return a checkpoint
 * that was not saved. Threading: implementations are thread-safe; both methods may block on I/O and
 * are called from threads that may block (the acknowledging thread).
 */
public interface CheckpointStore {

    /**
     * The checkpoint saved last, or empty if none was saved yet.
     *
     * @throws UncheckedIOException if the store cannot be read or holds something that is not a checkpoint
     */
    Optional<Checkpoint> load();

    /**
     * Replaces the saved checkpoint, durably and atomically.
     *
     * @throws UncheckedIOException if writing fails; the previous checkpoint then stays in place
     */
    void save(Checkpoint checkpoint);

    /**
     * The default store: one checkpoint in {@code file} (created on the first save, replaced through a
     * {@code .tmp} file beside it, forced to disk, then renamed).
     */
    static CheckpointStore file(Path file) {
        Objects.requireNonNull(file, "file");
        return new FileCheckpointStore(file.toAbsolutePath());
    }
}
