package io.fileflux.reactor.lines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fileflux.core.TestFiles;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.ReadOptions;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Line splitting and decoding, chunk boundaries anywhere. */
class LineDecoderTest {

    @TempDir
    Path dir;

    /** Feeds {@code bytes} in chunks of {@code chunk} bytes and returns the lines plus the final one. */
    static List<String> decode(byte[] bytes, int chunk, LineOptions options) {
        LineDecoder d = new LineDecoder(options);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += chunk) {
            d.feed(bytes, i, Math.min(chunk, bytes.length - i), (text, end) -> out.add(text));
        }
        String last = d.finish();
        if (last != null) {
            out.add(last);
        }
        return out;
    }

    @Test
    void multiByteCharactersSurviveEverySplitPoint() {
        String text = "h\u00e9llo w\u00f6rld \u20ac100\n\u65e5\u672c\u8a9e\u306e\u884c\r\n\ud83d\ude00 emoji \ud83d\udc4d\nlast";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("h\u00e9llo w\u00f6rld \u20ac100", "\u65e5\u672c\u8a9e\u306e\u884c",
                "\ud83d\ude00 emoji \ud83d\udc4d", "last");
        for (int chunk = 1; chunk <= bytes.length; chunk++) {
            assertEquals(expected, decode(bytes, chunk, LineOptions.defaults()), "chunk size " + chunk);
        }
    }

    @Test
    void crlfAndEmptyLines() {
        byte[] b = "a\r\n\r\n\nb\rc\nd\r".getBytes(StandardCharsets.US_ASCII);
        for (int chunk = 1; chunk <= b.length; chunk++) {
            assertEquals(List.of("a", "", "", "b\rc", "d"), decode(b, chunk, LineOptions.defaults()), "chunk " + chunk);
        }
    }

    @Test
    void overlongLinesAreSplitOnCharacterBoundaries() {
        LineOptions opts = LineOptions.defaults().maxLineLength(8);
        // 'é' is 2 bytes: a cut at 8 bytes would fall inside one
        String line = "abcdefg\u00e9\u00e9\u00e9xyz";
        byte[] b = (line + "\nshort\n").getBytes(StandardCharsets.UTF_8);
        for (int chunk = 1; chunk <= b.length; chunk++) {
            List<String> got = decode(b, chunk, opts);
            assertEquals(String.join("", got.subList(0, got.size() - 1)), line, "chunk " + chunk);
            assertEquals("short", got.get(got.size() - 1));
            for (String s : got) {
                assertEquals(true, s.getBytes(StandardCharsets.UTF_8).length <= 8, s);
                assertEquals(false, s.contains("\ufffd"), s);
            }
        }
    }

    @Test
    void lineOfExactlyMaxLengthWithCrlfIsNotSplit() {
        LineOptions opts = LineOptions.defaults().maxLineLength(5);
        byte[] b = "12345\r\n123456\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int chunk = 1; chunk <= b.length; chunk++) {
            assertEquals(List.of("12345", "12345", "6"), decode(b, chunk, opts), "chunk " + chunk);
        }
    }

    @Test
    void overlongLinesFailUnderFailPolicy() {
        LineOptions opts = LineOptions.defaults().maxLineLength(16).overlong(OverlongLinePolicy.FAIL);
        byte[] b = ("ok\n" + "x".repeat(100) + "\n").getBytes(StandardCharsets.US_ASCII);
        assertThrows(LineTooLongException.class, () -> decode(b, 7, opts));
        assertEquals(List.of("ok", "x".repeat(16)), decode("ok\nxxxxxxxxxxxxxxxx\n".getBytes(), 3, opts));
    }

    @Test
    void endsReportWhereTheNextLineStarts() {
        LineDecoder d = new LineDecoder(LineOptions.defaults());
        List<Integer> ends = new ArrayList<>();
        byte[] b = "ab\ncd\r\nef".getBytes(StandardCharsets.US_ASCII);
        d.feed(b, 0, b.length, (t, end) -> ends.add(end));
        assertEquals(List.of(3, 7), ends);
        assertEquals(2, d.pending());
    }

    @Test
    void refusesCharsetsWithoutSingleByteNewline() {
        assertThrows(IllegalArgumentException.class, () -> LineOptions.defaults().charset(StandardCharsets.UTF_16));
        LineOptions.defaults().charset(Charset.forName("ISO-8859-1"));
    }

    @Test
    void decodesAPlainFiniteRead() throws Exception {
        Path f = dir.resolve("plain.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            sb.append("line ").append(i).append(" \u00fc\u00e4\u00f6 ").append("z".repeat(i % 37)).append('\n');
        }
        sb.append("no newline at end");
        Files.writeString(f, sb.toString());
        List<String> got = Lines.decode(FileFlux.read(f, ReadOptions.defaults().chunkSize(7).bufferMode(
                io.fileflux.reactor.BufferMode.HEAP)), LineOptions.defaults()).collectList().block();
        assertEquals(Files.readAllLines(f), got);
        assertFalse(TestFiles.isOpen(f), "the file is closed once the lines completed");
    }

    /** Decodes with ISO-8859-1 in chunks, then writes text + terminator of every line back as bytes. */
    static byte[] roundTrip(byte[] bytes, int chunk, int flushEvery, LineOptions options) {
        LineDecoder d = new LineDecoder(options.charset(StandardCharsets.ISO_8859_1));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        LineDecoder.Sink sink = (text, end) -> out.writeBytes(
                (text + d.terminator().text()).getBytes(StandardCharsets.ISO_8859_1));
        int fed = 0;
        for (int i = 0; i < bytes.length; i += chunk) {
            d.feed(bytes, i, Math.min(chunk, bytes.length - i), sink);
            if (flushEvery > 0 && ++fed % flushEvery == 0) {
                String s = d.flush();
                if (s != null) {
                    assertEquals(Terminator.NONE, d.terminator());
                    out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
                }
            }
        }
        String last = d.finish();
        if (last != null) {
            out.writeBytes((last + d.terminator().text()).getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    @Test
    void terminatorTellsHowEachLineEnded() {
        LineDecoder d = new LineDecoder(LineOptions.defaults().maxLineLength(4));
        List<String> got = new ArrayList<>();
        byte[] b = "a\nb\r\n123456\n\r\nx\ry".getBytes(StandardCharsets.US_ASCII);
        d.feed(b, 0, b.length, (text, end) -> got.add(text + "|" + d.terminator()));
        assertEquals(List.of("a|LF", "b|CRLF", "1234|NONE", "56|LF", "|CRLF"), got);
        assertEquals("x\ry", d.flush());
        assertEquals(Terminator.NONE, d.terminator());
        d.feed(new byte[] {'z', '\r'}, 0, 2, (text, end) -> got.add(text));
        assertEquals("z", d.finish());
        assertEquals(Terminator.CR, d.terminator(), "a lone \\r at the end is dropped from the text");
        d.feed(new byte[] {'w'}, 0, 1, (text, end) -> got.add(text));
        assertEquals("w", d.finish());
        assertEquals(Terminator.NONE, d.terminator());
        assertEquals("\r\n", Terminator.CRLF.text());
        assertFalse(Terminator.NONE.endsLine());
    }

    @Test
    void iso88591LinesAndTerminatorsGiveBackTheExactBytes() {
        java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
        in.writeBytes("dos\r\nunix\n\n\r\nlone\rcr\n".getBytes(StandardCharsets.US_ASCII));
        in.writeBytes(new byte[] {(byte) 0xff, (byte) 0xc3, 'x', (byte) 0x80, '\n'}); // not UTF-8
        in.writeBytes("h\u00e9llo \u20ac\n".getBytes(StandardCharsets.UTF_8));
        in.writeBytes(("y".repeat(23) + "\r\n" + "z".repeat(9) + "\r").getBytes(StandardCharsets.US_ASCII));
        byte[] b = in.toByteArray();
        for (int max : new int[] {4, 5, 8, 1 << 20}) {
            LineOptions opts = LineOptions.defaults().maxLineLength(max);
            for (int chunk = 1; chunk <= b.length; chunk++) {
                for (int flushEvery : new int[] {0, 1, 3}) {
                    assertEquals(new String(b, StandardCharsets.ISO_8859_1),
                            new String(roundTrip(b, chunk, flushEvery, opts), StandardCharsets.ISO_8859_1),
                            "max " + max + ", chunk " + chunk + ", flush every " + flushEvery);
                }
            }
        }
        byte[] noNewline = "a\nlast".getBytes(StandardCharsets.US_ASCII);
        assertEquals("a\nlast", new String(roundTrip(noNewline, 3, 0, LineOptions.defaults()),
                StandardCharsets.ISO_8859_1), "no newline added at the end");
    }
}
