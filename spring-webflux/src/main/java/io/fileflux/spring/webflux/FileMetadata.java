package io.fileflux.spring.webflux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;

/**
 * What an HTTP response needs to know about a regular file: its size, its validators (a strong
 * {@code ETag} from size, modification time and file identity; {@code Last-Modified} to the second) and its
 * media type. Immutable.
 *
 * @param path         the file
 * @param size         its size in bytes
 * @param lastModified its modification time, truncated to seconds (the precision of an HTTP-date)
 * @param etag         a strong entity tag, quoted ({@code "..."})
 * @param mediaType    its media type by extension
 */
public record FileMetadata(Path path, long size, Instant lastModified, String etag, MediaType mediaType) {

    /** Checks the components. */
    public FileMetadata {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(mediaType, "mediaType");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
    }

    /**
     * The metadata of a regular file (symbolic links followed).
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws IOException                       if its attributes cannot be read
     */
    public static FileMetadata of(Path path) throws IOException {
        return of(path, Files.readAttributes(path, BasicFileAttributes.class));
    }

    /** The metadata of a file from attributes already read. */
    public static FileMetadata of(Path path, BasicFileAttributes attrs) {
        Path name = path.getFileName();
        return new FileMetadata(path, attrs.size(),
                attrs.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS), etag(attrs),
                contentType(name == null ? "" : name.toString()));
    }

    /** A strong validator from size, modification time (nanoseconds) and file identity. */
    public static String etag(BasicFileAttributes attrs) {
        Object key = attrs.fileKey();
        long id = key == null ? 0 : key.hashCode() & 0xffffffffL;
        return "\"" + Long.toHexString(attrs.size()) + "-"
                + Long.toHexString(attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS)) + "-"
                + Long.toHexString(id) + "\"";
    }

    /**
     * A media type by file name: Spring's {@link MediaTypeFactory} table, {@code .md} as
     * {@code text/markdown} and {@code .log} as {@code text/plain}, text in UTF-8, octet-stream when unknown.
     */
    public static MediaType contentType(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".md") || lower.endsWith(".markdown")) {
            return new MediaType("text", "markdown", StandardCharsets.UTF_8);
        }
        if (lower.endsWith(".log")) {
            return new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);
        }
        MediaType type = MediaTypeFactory.getMediaType(name).orElse(MediaType.APPLICATION_OCTET_STREAM);
        if (type.getType().equals("text") && type.getCharset() == null) {
            return new MediaType(type, StandardCharsets.UTF_8);
        }
        return type;
    }
}
