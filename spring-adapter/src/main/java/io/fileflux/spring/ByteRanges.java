package io.fileflux.spring;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.OpenFile;
import io.fileflux.reactor.ReadOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * List<FileRegion> regions = ByteRanges.resolve(request.getHeaders().getRange(), size); // IAE: answer 416
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

    /**
     * The regions of {@code ranges} in a file of {@code size} bytes, in request order.
     *
     * @throws IllegalArgumentException if a range is unsatisfiable (starts at or past the end, or is a
     *                                  suffix of 0 bytes), or if several ranges add up to more than the
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
            long start = range.getRangeStart(size);
            long end = range.getRangeEnd(size);
            if (size == 0 || start >= size || end < start) {
                throw new IllegalArgumentException("unsatisfiable range " + range + " of " + size + " bytes");
            }
            FileRegion region = new FileRegion(start, end - start + 1);
            total += region.length();
            regions.add(region);
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
