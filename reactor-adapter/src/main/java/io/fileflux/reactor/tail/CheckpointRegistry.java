package io.fileflux.reactor.tail;

import io.fileflux.core.FileIdentity;
import io.fileflux.reactor.internal.FilesBeside;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One file holding the checkpoints of many followed files (like a log shipper's registry). It keeps two
 * kinds of entry: one per followed path ({@link #store(Path)}: the checkpoint of whatever file is at the
 * path, as a single-file tail following the path by name needs), and one per file ({@link #store(FileIdentity,
 * Path)}: keyed by the file's identity, whatever its name, as {@code FileFlux.tailAll} needs, so that a
 * rotated file still being read and the new file at its old path never share an entry). An entry holds
 * its checkpoint (the file's identity and offset, written with {@link Checkpoint#toString()} and read
 * with {@link Checkpoint#parse}), a path, when it was saved and since when its file has been gone.
 *
 * <p><b>Crash safety.</b> Every save rewrites the whole registry to {@code FILE.tmp}, forces it, renames
 * it over {@code FILE} and forces the directory: a crash (kill -9, power loss where the file system
 * keeps renames ordered) at any point leaves the previous or the new registry, each entry whole. A save
 * returns only once it is durable.
 *
 * <p><b>Bounded size.</b> An entry whose file has been gone for longer than {@code forgetAfter}, and
 * that was not saved in that time either, is dropped. A path entry's file is gone when no file is at
 * its path; a file entry's when no file with its inode number is at its path or beside it (a name
 * starting with the path's name in the same directory: {@code app.log.1}, {@code app.log-20240501}).
 * Entries are checked when the registry is opened and then at most once per {@code forgetAfter} (or
 * minute, whichever is less), on a save. A file read to its end after it was deleted keeps its entry
 * while it is being saved.
 *
 * <p><b>Ownership.</b> The registry holds an exclusive lock on {@code FILE.lock} from {@link #open} to
 * {@link #close()}: a second registry on the same file, in this process or another, is refused. The
 * views stay valid until the registry is closed. Threading: thread-safe; loads, saves and close block
 * on file I/O under one lock (saves of different files are serialized).
 */
public final class CheckpointRegistry implements AutoCloseable {

    private static final String HEADER = "fileflux-checkpoints 2";
    /** The format before file entries: path entries only, read as such. */
    private static final String HEADER_1 = "fileflux-checkpoints 1";
    /** The fifth field of a file entry. */
    private static final String FILE_ENTRY = "file";
    /** Paths are checked for existence at most this often (and at most once per forgetAfter). */
    private static final long SWEEP_MAX_MILLIS = 60_000;

    private final Path file;
    private final Path temp;
    private final long forgetAfterMillis;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;

    // guarded by this
    /** Path entries by their path, file entries by their {@link FileIdentity}. */
    private final Map<Object, Entry> entries = new LinkedHashMap<>();
    private long lastSweepMillis;
    private boolean closed;

    /**
     * One checkpoint: of the file at {@code path} (a path entry), or of one file, last saved at
     * {@code path} (a file entry); {@code goneSince} is 0 while its file is there.
     */
    private record Entry(Path path, boolean byFile, Checkpoint checkpoint, long savedMillis, long goneSince) {
        Entry gone(long since) {
            return new Entry(path, byFile, checkpoint, savedMillis, since);
        }
    }

    private CheckpointRegistry(Path file, Duration forgetAfter, Clock clock) throws IOException {
        this.file = file;
        this.temp = file.resolveSibling(file.getFileName() + ".tmp");
        this.forgetAfterMillis = forgetAfter.toMillis();
        this.clock = clock;
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            ch.close();
            throw new IllegalStateException(file + ": checkpoint registry in use (" + lockFile + " is locked)");
        }
        this.lockChannel = ch;
        this.lock = l;
        try {
            read();
        } catch (IOException | RuntimeException e) {
            closeLock();
            throw e;
        }
    }

    /**
     * Opens (or, on the first save, creates) the registry in {@code file}, dropping entries of paths gone
     * for longer than {@code forgetAfter}.
     *
     * @throws UncheckedIOException     if the file cannot be read or is not a registry
     * @throws IllegalStateException    if another registry holds the file
     * @throws IllegalArgumentException if {@code forgetAfter} is not positive
     */
    public static CheckpointRegistry open(Path file, Duration forgetAfter) {
        return open(file, forgetAfter, Clock.systemUTC());
    }

    static CheckpointRegistry open(Path file, Duration forgetAfter, Clock clock) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(forgetAfter, "forgetAfter");
        if (forgetAfter.isNegative() || forgetAfter.isZero()) {
            throw new IllegalArgumentException("forgetAfter must be positive, was " + forgetAfter);
        }
        try {
            return new CheckpointRegistry(file.toAbsolutePath(), forgetAfter, clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The registry's file. */
    public Path path() {
        return file;
    }

    /**
     * The store of {@code followed}'s checkpoint within this registry (keyed by the absolute, normalized
     * path). Saving through it rewrites the registry as the class comment says.
     */
    public CheckpointStore store(Path followed) {
        Objects.requireNonNull(followed, "followed");
        Path key = followed.toAbsolutePath().normalize();
        return new View(key, key, false);
    }

    /**
     * The store of one file's checkpoint within this registry, keyed by the file's identity (whatever
     * its name, and however many files have been at one path): {@code file} found at {@code at}
     * (absolute, normalized), the path the entry records at each save through this view. Saving
     * rewrites the registry as the class comment says.
     */
    public CheckpointStore store(FileIdentity file, Path at) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(at, "at");
        return new View(file, at.toAbsolutePath().normalize(), true);
    }

    /** The checkpoints of the path entries ({@link #store(Path)}) held now, by path, in the order first saved. */
    public synchronized Map<Path, Checkpoint> checkpoints() {
        Map<Path, Checkpoint> m = new LinkedHashMap<>();
        entries.values().stream().filter(e -> !e.byFile()).forEach(e -> m.put(e.path(), e.checkpoint()));
        return Collections.unmodifiableMap(m);
    }

    /**
     * The file entries ({@link #store(FileIdentity, Path)}) held now: each file's identity and the path
     * it was saved at last, in the order first saved. Their checkpoints load through
     * {@code store(identity, path)}.
     */
    public synchronized Map<FileIdentity, Path> files() {
        Map<FileIdentity, Path> m = new LinkedHashMap<>();
        entries.forEach((k, e) -> {
            if (e.byFile()) {
                m.put((FileIdentity) k, e.path());
            }
        });
        return Collections.unmodifiableMap(m);
    }

    /** Releases the registry's lock; saves through its views fail afterwards. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeLock();
        }
    }

    private void closeLock() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            // nothing held any more
        }
    }

    private synchronized Optional<Checkpoint> load(Object key) {
        Entry e = entries.get(key);
        return e == null ? Optional.empty() : Optional.of(e.checkpoint());
    }

    private synchronized void save(Object key, Path path, boolean byFile, Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (closed) {
            throw new IllegalStateException(file + ": checkpoint registry closed");
        }
        long now = clock.millis();
        Entry old = entries.get(key);
        Entry next = new Entry(path, byFile, checkpoint, now, old == null || !old.path().equals(path) ? 0
                : old.goneSince());
        entries.put(key, next);
        try {
            if (now - lastSweepMillis >= Math.min(forgetAfterMillis, SWEEP_MAX_MILLIS)) {
                sweep(now);
            }
            AtomicFiles.write(temp, file, render());
        } catch (IOException e) {
            if (old == null) {
                entries.remove(key);
            } else {
                entries.put(key, old);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** Marks entries whose file is gone, drops those gone (and unsaved) for longer than forgetAfter. */
    private void sweep(long now) {
        lastSweepMillis = now;
        for (Iterator<Map.Entry<Object, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, Entry> me = it.next();
            Entry e = me.getValue();
            if (e.byFile() ? FilesBeside.present(e.path(), e.checkpoint().identity().index())
                    : Files.exists(e.path())) {
                if (e.goneSince() != 0) {
                    me.setValue(e.gone(0));
                }
            } else if (e.goneSince() == 0) {
                me.setValue(e.gone(now));
            } else if (now - Math.max(e.goneSince(), e.savedMillis()) > forgetAfterMillis) {
                it.remove();
            }
        }
    }

    private byte[] render() {
        StringBuilder b = new StringBuilder(64 + entries.size() * 96).append(HEADER).append('\n');
        entries.forEach((k, e) -> {
            b.append(e.savedMillis()).append('\t').append(e.goneSince()).append('\t')
                    .append(escape(e.checkpoint().toString())).append('\t').append(escape(e.path().toString()));
            if (e.byFile()) {
                b.append('\t').append(FILE_ENTRY);
            }
            b.append('\n');
        });
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void read() throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        }
        String[] lines = text.split("\n", -1);
        if (!lines[0].equals(HEADER) && !lines[0].equals(HEADER_1)) {
            throw new IOException(file + ": not a fileflux checkpoint registry"
                    + (text.isEmpty() ? " (empty)" : ""));
        }
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            String[] f = lines[i].split("\t", -1);
            try {
                boolean byFile = f.length == 5 && f[4].equals(FILE_ENTRY);
                if (f.length != 4 && !byFile) {
                    throw new IllegalArgumentException("expected 4 tab-separated fields (5 for a file entry), found "
                            + f.length);
                }
                Path p = Path.of(unescape(f[3]));
                Checkpoint cp = Checkpoint.parse(unescape(f[2]));
                entries.put(byFile ? cp.identity() : p, new Entry(p, byFile, cp, Long.parseLong(f[0]),
                        Long.parseLong(f[1])));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        long now = clock.millis();
        int before = entries.size();
        sweep(now);
        if (entries.size() != before) {
            AtomicFiles.write(temp, file, render());
        }
    }

    /** Percent-escapes the characters that separate fields and entries (and the escape itself). */
    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '\t' || c == '\n' || c == '\r') {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    static String unescape(String s) {
        int pct = s.indexOf('%');
        if (pct < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length()).append(s, 0, pct);
        for (int i = pct; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated escape in " + s);
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape in " + s);
                }
                b.append((char) (hi << 4 | lo));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "CheckpointRegistry[" + file + "]";
    }

    /** One followed path's, or one file's, view of the registry. */
    private final class View implements CheckpointStore {
        /** The path, or the file's identity. */
        private final Object key;
        private final Path path;
        private final boolean byFile;

        View(Object key, Path path, boolean byFile) {
            this.key = key;
            this.path = path;
            this.byFile = byFile;
        }

        @Override
        public Optional<Checkpoint> load() {
            return CheckpointRegistry.this.load(key);
        }

        @Override
        public void save(Checkpoint checkpoint) {
            CheckpointRegistry.this.save(key, path, byFile, checkpoint);
        }

        @Override
        public String toString() {
            return "CheckpointRegistry[" + file + "][" + (byFile ? key + " at " : "") + path + "]";
        }
    }
}
