package io.fileflux.spring;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.OpenFile;
import io.fileflux.reactor.ReadOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpRange;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * HTTP byte ranges (RFC 9110 §14) of a file, as {@code Flux<DataBuffer>}: one range as a plain body
 * ({@code 206} with {@code Content-Range}), several as a {@code multipart/byteranges} body whose parts
 * are all read from <em>one</em> open file, with its exact length known up front for
 * {@code Content-Length}.
 *
 * <pre>{@code
 * Optional<List<FileRegion>> ranges = ByteRanges.resolve(rangeHeader, size); // empty: 200, IAE: answer 416
 * List<FileRegion> regions = ranges.get();
 * String boundary = ByteRanges.newBoundary();
 * response.getHeaders().setContentType(ByteRanges.multipartType(boundary));
 * response.getHeaders().setContentLength(ByteRanges.multipartLength(regions, size, type, boundary));
 * return response.writeWith(ByteRanges.multipart(path, regions, size, type, boundary, factory, options));
 * }</pre>
 */
public final class ByteRanges {

    private static final byte[] CRLF = {'\r', '\n'};

    private ByteRanges() {
    }

    /** The most ranges one {@code Range} header may ask for (as Spring's {@code HttpRange.parseRanges}). */
    public static final int MAX_RANGES = 100;

    /**
     * A {@code Range} header evaluated against a file of {@code size} bytes, as RFC 9110 §14.2 says: a range
     * unit other than {@code bytes} (compared case-insensitively) is ignored; unsatisfiable ranges are left
     * out as long as one range is satisfiable; a last-byte-pos past the end (however large, even beyond a
     * {@code long}) is the end. Unlike {@code HttpRange.parseRanges}, which throws for all of these.
     *
     * @param header the {@code Range} header's value
     * @param size   the file's size
     * @return empty if the header is not a byte-range request (another unit): ignore it and send the whole
     *         file ({@code 200}); else the satisfiable regions, in request order
     * @throws IllegalArgumentException answer {@code 416}: a byte range set that does not parse (a
     *                                  range-spec without {@code -}, a position that is not digits, a
     *                                  last-byte-pos before its first-byte-pos, no range at all), more than
     *                                  {@link #MAX_RANGES} ranges, no satisfiable range (every range starts
     *                                  at or past the end, or is a suffix of 0 bytes; any range of an empty
     *                                  file), or several ranges adding up to more than the file (a cheap
     *                                  amplification attack)
     */
    public static Optional<List<FileRegion>> resolve(String header, long size) {
        Objects.requireNonNull(header, "header");
        int eq = header.indexOf('=');
        String unit = (eq < 0 ? header : header.substring(0, eq)).trim();
        if (!unit.equalsIgnoreCase("bytes")) {
            return Optional.empty();
        }
        if (eq < 0) {
            throw new IllegalArgumentException("no range set in " + header);
        }
        List<HttpRange> ranges = new ArrayList<>();
        for (String part : header.substring(eq + 1).split(",", -1)) {
            String spec = part.strip();
            if (spec.isEmpty()) {
                continue; // empty list elements are allowed (RFC 9110 §5.6.1)
            }
            if (ranges.size() == MAX_RANGES) {
                throw new IllegalArgumentException("more than " + MAX_RANGES + " ranges");
            }
            int dash = spec.indexOf('-');
            if (dash < 0) {
                throw new IllegalArgumentException("not a byte range: " + spec);
            }
            String first = spec.substring(0, dash);
            String last = spec.substring(dash + 1);
            if (first.isEmpty()) {
                ranges.add(HttpRange.createSuffixRange(position(last, spec)));
            } else {
                long start = position(first, spec);
                long end = last.isEmpty() ? Long.MAX_VALUE : position(last, spec); // past the end: the end
                if (end < start) {
                    throw new IllegalArgumentException("last-byte-pos before first-byte-pos: " + spec);
                }
                ranges.add(HttpRange.createByteRange(start, end));
            }
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no range in " + header);
        }
        return Optional.of(resolve(ranges, size)); // satisfiability and amplification: one set of rules
    }

    /** 1*DIGIT as a long, clamped to {@code Long.MAX_VALUE}. */
    private static long position(String digits, String spec) {
        if (digits.isEmpty()) {
            throw new IllegalArgumentException("not a byte range: " + spec);
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a byte range: " + spec);
            }
            int d = c - '0';
            value = value > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : value * 10 + d;
        }
        return value;
    }

    /**
     * The regions of {@code ranges} (as parsed by {@code HttpRange.parseRanges}) in a file of {@code size}
     * bytes, in request order; unsatisfiable ranges are left out as long as one range is satisfiable
     * (RFC 9110 §14.2). {@link #resolve(String, long)} parses the header too, and more leniently.
     *
     * @throws IllegalArgumentException if no range is satisfiable (every one starts at or past the end, or is
     *                                  a suffix of 0 bytes), or if several ranges add up to more than the
     *                                  file (a cheap amplification attack): answer {@code 416}
     */
    public static List<FileRegion> resolve(List<HttpRange> ranges, long size) {
        Objects.requireNonNull(ranges, "ranges");
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no range");
        }
        List<FileRegion> regions = new ArrayList<>(ranges.size());
        long total = 0;
        for (HttpRange range : ranges) {
            if (size == 0) {
                continue;
            }
            long start = range.getRangeStart(size);
            long end = range.getRangeEnd(size);
            if (start >= size || end < start) {
                continue; // unsatisfiable
            }
            FileRegion region = new FileRegion(start, end - start + 1);
            total += region.length();
            regions.add(region);
        }
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("no satisfiable range in " + ranges + " of " + size + " bytes");
        }
        if (regions.size() > 1 && total > size) {
            throw new IllegalArgumentException("the " + regions.size() + " ranges add up to " + total
                    + " bytes, more than the " + size + " of the file");
        }
        return regions;
    }

    /** A fresh random boundary (30 characters from {@code [0-9a-zA-Z]}). */
    public static String newBoundary() {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder(30);
        for (int i = 0; i < 30; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** {@code multipart/byteranges; boundary=...}. */
    public static MediaType multipartType(String boundary) {
        return MediaType.parseMediaType("multipart/byteranges; boundary=" + boundary);
    }

    /** The exact byte length of {@link #multipart} for these arguments, for {@code Content-Length}. */
    public static long multipartLength(List<FileRegion> regions, long size, MediaType partType, String boundary) {
        long n = 0;
        for (FileRegion r : regions) {
            n += partHeader(r, size, partType, boundary).length + r.length();
        }
        return n + end(boundary).length;
    }

    /**
     * A {@code multipart/byteranges} body: for each region a part header ({@code Content-Type: partType},
     * {@code Content-Range}) then its bytes, all read from one opening of {@code path}; then the closing
     * boundary. The file is closed before the terminal signal, or after a cancel once the reads in flight
     * have completed.
     *
     * @param path     the file
     * @param regions  the regions, from {@link #resolve}
     * @param size     the file size the regions were resolved against (written in {@code Content-Range})
     * @param partType the {@code Content-Type} of every part (the file's type)
     * @param boundary the boundary of {@link #multipartType(String)}
     * @param factory  allocates the buffers
     * @param options  chunk size, reads in flight, engine, buffer mode (position and length are ignored)
     */
    public static Flux<DataBuffer> multipart(Path path, List<FileRegion> regions, long size, MediaType partType,
                                             String boundary, DataBufferFactory factory, ReadOptions options) {
        Objects.requireNonNull(factory, "factory");
        List<FileRegion> parts = List.copyOf(regions);
        return FileFlux.<DataBuffer>usingFile(path, options,
                        file -> multipart(file, parts, size, partType, boundary, factory))
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    /** Like {@link #multipart(Path, List, long, MediaType, String, DataBufferFactory, ReadOptions)}, from an open file. */
    public static Flux<DataBuffer> multipart(OpenFile file, List<FileRegion> regions, long size, MediaType partType,
                                             String boundary, DataBufferFactory factory) {
        List<Publisher<DataBuffer>> parts = new ArrayList<>(regions.size() * 2 + 1);
        for (FileRegion r : regions) {
            parts.add(Mono.fromSupplier(() -> factory.wrap(partHeader(r, size, partType, boundary))));
            parts.add(FileDataBuffers.read(file, r.position(), r.length(), factory));
        }
        parts.add(Mono.fromSupplier(() -> factory.wrap(end(boundary))));
        return Flux.concat(parts).doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    /**
     * One region of {@code path} as a plain body (the {@code 206} single-range case): its own file
     * opening, like {@link FileDataBuffers#read(Path, DataBufferFactory, ReadOptions)}.
     */
    public static Flux<DataBuffer> single(Path path, FileRegion region, DataBufferFactory factory,
                                          ReadOptions options) {
        return FileDataBuffers.read(path, factory, options.range(region.position(), region.length()));
    }

    private static byte[] partHeader(FileRegion r, long size, MediaType partType, String boundary) {
        String header = "\r\n--" + boundary + "\r\n"
                + "Content-Type: " + partType + "\r\n"
                + "Content-Range: " + r.contentRange(size) + "\r\n"
                + "\r\n";
        return header.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] end(String boundary) {
        return ("\r\n--" + boundary + "--" + new String(CRLF, StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);
    }
}
