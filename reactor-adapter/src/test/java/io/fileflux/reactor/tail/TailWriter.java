package io.fileflux.reactor.tail;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** A log writer as applications and logrotate behave: appends (O_APPEND), and the five rotation styles. */
final class TailWriter implements AutoCloseable {

    /** How a log is rotated. */
    enum Style {
        /** rename to a unique name (app.log.N, like logrotate's dateext), create a new app.log. */
        RENAME,
        /**
         * logrotate's default numbering: app.log.K becomes app.log.K+1 (oldest first), app.log becomes
         * app.log.1, a new app.log is created. A rotated file changes its name at every rotation.
         */
        SHIFT,
        /** logrotate copytruncate: copy to app.log.N, truncate app.log in place. */
        COPYTRUNCATE,
        /** delete app.log, create a new one. */
        DELETE,
        /** rename app.log away, leave the path missing for a while, then create a new one. */
        VANISH
    }

    private final Path path;
    private FileOutputStream out;
    private int rotations;

    TailWriter(Path path) {
        this.path = path;
        open();
    }

    private void open() {
        try {
            out = new FileOutputStream(path.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(String s) {
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void line(String s) {
        write(s + "\n");
    }

    /** Rotates; for COPYTRUNCATE the caller makes sure the tail has read everything first. */
    void rotate(Style style) {
        try {
            int n = ++rotations;
            switch (style) {
                case RENAME:
                    out.close();
                    Files.move(path, path.resolveSibling(path.getFileName() + "." + n));
                    open();
                    break;
                case SHIFT:
                    out.close();
                    for (int k = n - 1; k >= 1; k--) {
                        Path from = path.resolveSibling(path.getFileName() + "." + k);
                        if (Files.exists(from)) {
                            Files.move(from, path.resolveSibling(path.getFileName() + "." + (k + 1)));
                        }
                    }
                    Files.move(path, path.resolveSibling(path.getFileName() + ".1"));
                    open();
                    break;
                case COPYTRUNCATE:
                    Files.copy(path, path.resolveSibling(path.getFileName() + "." + n),
                            StandardCopyOption.REPLACE_EXISTING);
                    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                        ch.truncate(0);
                    }
                    break;
                case DELETE:
                    out.close();
                    Files.delete(path);
                    open();
                    break;
                case VANISH:
                    out.close();
                    Files.move(path, path.resolveSibling(path.getFileName() + ".gone-" + n));
                    Thread.sleep(150); // several poll intervals without a file at the path
                    open();
                    break;
                default:
                    throw new AssertionError(style);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
