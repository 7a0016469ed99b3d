package io.fileflux.reactor.lines;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a stream of byte chunks into lines: the building block of {@link Lines} and of the tailing
 * line publisher. Bytes are split on {@code \n} first and each complete line is decoded as a whole, so
 * a multi-byte character split across two chunks is never broken. An incomplete last line is kept
 * (at most {@link LineOptions#maxLineLength()} + 1 bytes) until the next chunk, {@link #flush()} or
 * {@link #finish()}.
 *
 * <p>Threading: not thread-safe; one decoder serves one stream, fed by one thread at a time (a
 * Reactor operator's serial signals are fine). Ownership: the decoder copies what it keeps; the
 * caller's buffers are not retained.
 */
public final class LineDecoder {

    /** Receives decoded lines. */
    @FunctionalInterface
    public interface Sink {
        /**
         * One line, without terminator. {@code end} is the index in the fed chunk just past the
         * line's terminator (where a reader resuming after this line starts), or {@code -1} for a
         * piece of an overlong line, which does not complete a line. How the line ended is
         * {@link LineDecoder#terminator()} during this call.
         */
        void line(String text, int end);
    }

    private final Charset charset;
    private final boolean utf8;
    private final int max;
    private final boolean split;
    private byte[] partial = new byte[128];
    private int plen;
    private Terminator terminator = Terminator.NONE;

    public LineDecoder(LineOptions options) {
        this.charset = options.charset();
        this.utf8 = charset.equals(StandardCharsets.UTF_8);
        this.max = options.maxLineLength();
        this.split = options.overlong() == OverlongLinePolicy.SPLIT;
    }

    /**
     * How the line last handed out ended: the line last passed to a {@link Sink} (read it inside
     * {@code line(...)}), or returned by {@link #flush()} or {@link #finish()}. {@link Terminator#NONE}
     * for a piece of an overlong line, an incomplete line flushed, or a last line without newline;
     * {@link Terminator#NONE} too before any line. Lets a consumer reproduce the input byte for byte.
     */
    public Terminator terminator() {
        return terminator;
    }

    /** Bytes of an incomplete line held back. */
    public int pending() {
        return plen;
    }

    /** Feeds {@code data}'s remaining bytes (its position is not moved). */
    public void feed(ByteBuffer data, Sink sink) {
        if (data.hasArray()) {
            feed(data.array(), data.arrayOffset() + data.position(), data.remaining(), sink);
        } else {
            byte[] copy = new byte[data.remaining()];
            data.duplicate().get(copy);
            feed(copy, 0, copy.length, sink);
        }
    }

    /**
     * Feeds {@code len} bytes of {@code a} from {@code off}; complete lines go to {@code sink}, with
     * ends relative to {@code off}.
     *
     * @throws LineTooLongException under {@link OverlongLinePolicy#FAIL}
     */
    public void feed(byte[] a, int off, int len, Sink sink) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int nl = indexOfNewline(a, i, end);
            if (nl >= 0 && plen == 0) {
                int stop = nl > i && a[nl - 1] == '\r' ? nl - 1 : nl;
                if (stop - i <= max) {
                    terminator = stop < nl ? Terminator.CRLF : Terminator.LF;
                    sink.line(new String(a, i, stop - i, charset), nl + 1 - off);
                    i = nl + 1;
                    continue;
                }
            }
            int stop = nl >= 0 ? nl : end;
            // slow path: accumulate, cutting pieces off an overlong line; keep max + 1 bytes so that a
            // line of exactly max bytes followed by \r\n is not split at its \r
            while (i < stop) {
                int room = max + 1 - plen;
                int n = Math.min(room, stop - i);
                append(a, i, n);
                i += n;
                if (plen == max + 1 && (i < stop || nl < 0 || partial[max] != '\r')) {
                    if (i == stop && nl < 0 && partial[max] == '\r') {
                        break; // maybe the \r of a \r\n in the next chunk: decide then
                    }
                    cutPiece(sink);
                }
            }
            if (nl >= 0) {
                int stopLen = plen > 0 && partial[plen - 1] == '\r' ? plen - 1 : plen;
                if (stopLen > max) {
                    cutPiece(sink);
                    stopLen = plen > 0 && partial[plen - 1] == '\r' ? plen - 1 : plen;
                }
                terminator = stopLen < plen ? Terminator.CRLF : Terminator.LF;
                sink.line(new String(partial, 0, stopLen, charset), nl + 1 - off);
                plen = 0;
                i = nl + 1;
            }
        }
    }

    /**
     * Emits the incomplete line held back, if any, as a line (decoded as is) and forgets it; returns
     * it, or null if nothing was held.
     */
    public String flush() {
        if (plen == 0) {
            return null;
        }
        terminator = Terminator.NONE;
        String s = new String(partial, 0, plen, charset);
        plen = 0;
        if (partial.length > 4096) {
            partial = new byte[128];
        }
        return s;
    }

    /**
     * At end of input: the incomplete last line (a final {@code \r} dropped, reported as
     * {@link Terminator#CR}), or null.
     */
    public String finish() {
        if (plen > 0 && partial[plen - 1] == '\r') {
            plen--;
            String s = plen == 0 ? "" : flush();
            terminator = Terminator.CR;
            return s;
        }
        return flush();
    }

    /** Emits the first piece (at most max bytes, on a character boundary) of the held line. */
    private void cutPiece(LineDecoder.Sink sink) {
        if (!split) {
            plen = 0;
            throw new LineTooLongException(max);
        }
        int cut = max;
        if (utf8) {
            int back = 0;
            while (back < 3 && cut > 0 && (partial[cut] & 0xC0) == 0x80) {
                cut--;
                back++;
            }
            if ((partial[cut] & 0xC0) == 0x80) {
                cut = max; // not UTF-8 anyway: cut where the limit is
            }
        }
        terminator = Terminator.NONE;
        sink.line(new String(partial, 0, cut, charset), -1);
        System.arraycopy(partial, cut, partial, 0, plen - cut);
        plen -= cut;
    }

    private void append(byte[] a, int from, int n) {
        if (plen + n > partial.length) {
            partial = Arrays.copyOf(partial, Math.min(max + 2, Math.max(partial.length * 2, plen + n)));
        }
        System.arraycopy(a, from, partial, plen, n);
        plen += n;
    }

    private static int indexOfNewline(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
