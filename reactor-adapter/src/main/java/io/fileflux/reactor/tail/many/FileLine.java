package io.fileflux.reactor.tail.many;

import io.fileflux.core.FileIdentity;
import io.fileflux.reactor.lines.Terminator;
import io.fileflux.reactor.tail.Checkpoint;
import io.fileflux.reactor.tail.TailLine;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One line of one of the files a {@link TailAll} follows: the path the file was found at, the identity of
 * the file it was read from, the offset where it starts in that file, its text and terminator, and the
 * checkpoint just past it, to {@link #ack()} once processed.
 *
 * <p>Threading: immutable; {@link #ack()} may be called from any thread.
 */
public final class FileLine {

    private final Path path;
    private final long offset;
    private final TailLine line;

    FileLine(Path path, long offset, TailLine line) {
        this.path = path;
        this.offset = offset;
        this.line = line;
    }

    /**
     * Builds the item for {@code line}, whose predecessor in the same file's tail ended at {@code previous}
     * (null for the first): the start offset is the previous line's end when both are in the same file,
     * else the line's end less its encoded length (exact for single-byte charsets and valid UTF-8).
     */
    static FileLine of(Path path, TailLine line, Checkpoint previous, Charset charset) {
        Checkpoint end = line.checkpoint();
        long offset;
        if (end == null) {
            offset = 0;
        } else if (previous != null && previous.identity().equals(end.identity()) && previous.offset() <= end.offset()) {
            offset = previous.offset();
        } else {
            offset = Math.max(0, end.offset() - encodedLength(line.text(), charset) - line.terminator().text().length());
        }
        return new FileLine(path, offset, line);
    }

    private static long encodedLength(String s, Charset charset) {
        if (charset.equals(StandardCharsets.ISO_8859_1) || charset.equals(StandardCharsets.US_ASCII)) {
            return s.length();
        }
        if (charset.equals(StandardCharsets.UTF_8)) {
            long n = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    n++;
                } else if (c < 0x800) {
                    n += 2;
                } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    n += 4;
                    i++;
                } else {
                    n += 3;
                }
            }
            return n;
        }
        return s.getBytes(charset).length;
    }

    /**
     * The path the file was found at (absolute, normalized): where the rescan that started its reader saw
     * it, not where it is now. Every line of one file carries the same path, also after the file was
     * renamed (to {@code app.log.1}, say), and two files found at one path one after the other (a rotated
     * {@code app.log} and the new one) carry the same path: {@link #identity()} tells them apart.
     */
    public Path path() {
        return path;
    }

    /** The identity of the file the line was read from, or null if unknown (see {@link TailLine#checkpoint()}). */
    public FileIdentity identity() {
        Checkpoint c = line.checkpoint();
        return c == null ? null : c.identity();
    }

    /** The offset of the line's first byte in that file. */
    public long offset() {
        return offset;
    }

    /** The line's text, decoded, without its terminator. */
    public String text() {
        return line.text();
    }

    /** How the line ended in the file. */
    public Terminator terminator() {
        return line.terminator();
    }

    /** Where a reader of this file resumes after this line (see {@link TailLine#checkpoint()}). */
    public Checkpoint checkpoint() {
        return line.checkpoint();
    }

    /** The line as the per-file tail emitted it. */
    public TailLine line() {
        return line;
    }

    /** Acknowledges the line to its file's checkpointer (no-op without a registry). */
    public void ack() {
        line.ack();
    }

    @Override
    public String toString() {
        return path + "@" + offset + ": " + line.text();
    }
}
