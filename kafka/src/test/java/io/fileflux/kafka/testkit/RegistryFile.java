package io.fileflux.kafka.testkit;

import io.fileflux.reactor.tail.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a checkpoint registry's file as another process sees it (without taking its lock, which the
 * shipper holds while it runs): one line per followed path or file, tab-separated, the checkpoint third
 * and the path fourth (a fifth field marks a file entry, keyed by the file's identity). For test paths,
 * which need no escaping.
 */
public final class RegistryFile {

    private RegistryFile() {
    }

    /** The checkpoints in {@code registry} by path; empty if it does not exist (yet). */
    public static Map<Path, Checkpoint> read(Path registry) throws IOException {
        Map<Path, Checkpoint> out = new LinkedHashMap<>();
        if (!Files.exists(registry)) {
            return out;
        }
        String[] lines = Files.readString(registry, StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split("\t");
            if (f.length == 4 || f.length == 5) {
                Path p = Path.of(f[3]);
                Checkpoint c = Checkpoint.parse(f[2]);
                // several files saved at one path (a file entry per file): the one at the path now wins
                if (!out.containsKey(p) || c.identity().index() == inode(p)) {
                    out.put(p, c);
                }
            }
        }
        return out;
    }

    private static long inode(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The offset saved for {@code file} in {@code registry}, -1 if none (or while it cannot be read). */
    public static long offset(Path registry, Path file) {
        try {
            Checkpoint c = read(registry).get(file.toAbsolutePath().normalize());
            return c == null ? -1 : c.offset();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
