package io.fileflux.reactor.tail.many;

import io.fileflux.core.FileIdentity;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.CheckpointStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A file set's view of its {@link CheckpointRegistry}: one entry per file, keyed by the file's identity
 * ({@link CheckpointRegistry#store(FileIdentity, Path)}), so the generation of {@code app.log} still
 * being read after a rotation and the new {@code app.log} never share (and overwrite) one entry. A
 * rescan looks files up by inode number ({@link #index()}); each reader saves through a
 * {@link #store} recording the path its file was last seen at.
 *
 * <p>Threading: {@link #index()} runs on the rescan worker; stores are used by the acknowledging threads
 * (the registry serializes saves).
 */
final class FileCheckpoints {

    /** The registry's file entries when an index was taken: by inode number, and the paths they record. */
    record Index(Map<Long, FileIdentity> byInode, Map<FileIdentity, Path> paths, Set<Path> knownPaths) {

        /** The entry of the file with inode number {@code ino}, or null. */
        @Nullable FileIdentity identity(long ino) {
            return byInode.get(ino);
        }
    }

    private final CheckpointRegistry registry;

    FileCheckpoints(CheckpointRegistry registry) {
        this.registry = registry;
    }

    /** The registry's file entries now. */
    Index index() {
        Map<FileIdentity, Path> files = registry.files();
        Map<Long, FileIdentity> byInode = new HashMap<>();
        Set<Path> known = new HashSet<>();
        files.forEach((id, p) -> {
            byInode.put(id.index(), id);
            known.add(p);
        });
        return new Index(byInode, files, known);
    }

    /** The checkpoint the registry holds for {@code identity}, or null. */
    @Nullable Checkpoint load(FileIdentity identity, Path at) {
        return registry.store(identity, at).load().orElse(null);
    }

    /**
     * The store of one reader: loads {@code initial} (the entry found for its file, or null) and saves
     * under the identity of each checkpoint saved, recording {@code at}'s path at the time.
     */
    CheckpointStore store(@Nullable Checkpoint initial, Supplier<Path> at) {
        return new CheckpointStore() {
            @Override
            public Optional<Checkpoint> load() {
                return Optional.ofNullable(initial);
            }

            @Override
            public void save(Checkpoint checkpoint) {
                registry.store(checkpoint.identity(), at.get()).save(checkpoint);
            }

            @Override
            public String toString() {
                return registry + "[" + at.get() + "]";
            }
        };
    }
}
