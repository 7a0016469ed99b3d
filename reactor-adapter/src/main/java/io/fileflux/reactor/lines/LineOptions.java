package io.fileflux.reactor.lines;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How bytes become lines: the charset, the maximum line length and what to do beyond it, and (when
 * following a file) after how long an incomplete last line is emitted anyway. Immutable; every
 * setter returns a new instance and validates its argument at once.
 *
 * <pre>{@code
 * LineOptions opts = LineOptions.defaults().maxLineLength(16 * 1024).overlong(OverlongLinePolicy.FAIL);
 * }</pre>
 *
 * <p>Lines end at {@code \n}; a {@code \r} right before it is dropped too ({@code \r\n}). The charset
 * must encode {@code \n} as the single byte {@code 0x0A} and never use that byte inside a multi-byte
 * character (UTF-8, ASCII, the ISO-8859 and Windows code pages, GBK, Shift_JIS...): lines are split
 * on bytes, then each whole line is decoded, so a character split across two reads is never broken.
 * UTF-16 and UTF-32 are refused. Malformed input decodes to U+FFFD, like {@code new String(bytes, cs)}.
 */
public final class LineOptions {

    /** Default maximum line length: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 1 << 20;

    private static final LineOptions DEFAULTS = new LineOptions(StandardCharsets.UTF_8, DEFAULT_MAX_LINE_LENGTH,
            OverlongLinePolicy.SPLIT, null);

    private final Charset charset;
    private final int maxLineLength;
    private final OverlongLinePolicy overlong;
    private final Duration flushIdle;

    private LineOptions(Charset charset, int maxLineLength, OverlongLinePolicy overlong, Duration flushIdle) {
        this.charset = charset;
        this.maxLineLength = maxLineLength;
        this.overlong = overlong;
        this.flushIdle = flushIdle;
    }

    /** UTF-8, lines up to 1 MiB split beyond, incomplete last line held until its newline. */
    public static LineOptions defaults() {
        return DEFAULTS;
    }

    /** The charset lines are decoded with; default UTF-8. */
    public LineOptions charset(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        if (!Arrays.equals("\n".getBytes(charset), new byte[] {'\n'})
                || !Arrays.equals("\r".getBytes(charset), new byte[] {'\r'})) {
            throw new IllegalArgumentException("charset " + charset
                    + " does not encode newline as the single byte 0x0A; use an ASCII-compatible charset");
        }
        return new LineOptions(charset, maxLineLength, overlong, flushIdle);
    }

    /** The longest line, in bytes without its terminator; default 1 MiB. Bounds the decoder's buffer. */
    public LineOptions maxLineLength(int maxLineLength) {
        if (maxLineLength < 4) {
            throw new IllegalArgumentException("maxLineLength must be >= 4 bytes, was " + maxLineLength);
        }
        return new LineOptions(charset, maxLineLength, overlong, flushIdle);
    }

    /** Split (default) or fail on a line longer than {@link #maxLineLength()}. */
    public LineOptions overlong(OverlongLinePolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return new LineOptions(charset, maxLineLength, policy, flushIdle);
    }

    /**
     * When following a file, emit an incomplete last line once the file has not grown for
     * {@code idle} (checked at the tail's poll interval); the rest of that line, if it comes later,
     * is emitted as a line of its own. Default: null, the line is held until its newline arrives.
     */
    public LineOptions flushIdle(@Nullable Duration idle) {
        if (idle != null && (idle.isNegative() || idle.isZero())) {
            throw new IllegalArgumentException("flushIdle must be positive, was " + idle);
        }
        return new LineOptions(charset, maxLineLength, overlong, idle);
    }

    public Charset charset() {
        return charset;
    }

    public int maxLineLength() {
        return maxLineLength;
    }

    public OverlongLinePolicy overlong() {
        return overlong;
    }

    /** The idle time after which an incomplete line is emitted, or null (held until its newline). */
    public @Nullable Duration flushIdle() {
        return flushIdle;
    }

    @Override
    public String toString() {
        return "LineOptions[charset=" + charset + ", maxLineLength=" + maxLineLength + ", overlong=" + overlong
                + ", flushIdle=" + flushIdle + "]";
    }
}
