package io.fileflux.spring.boot;

import java.util.List;
import java.util.Locale;
import java.util.function.BiPredicate;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.MimeType;
import org.springframework.util.unit.DataSize;

/**
 * Whether Spring Boot's {@code server.compression} will compress a response: enabled, a client that accepts a
 * compressed encoding, a content type among {@code server.compression.mime-types} (Boot's defaults when unset),
 * and a length of at least {@code server.compression.min-response-size}. Reactor Netty adds its compression
 * handler only when it sends the headers, so the transfer strategy asks this instead. Immutable.
 */
final class CompressionHint implements BiPredicate<ServerHttpRequest, ServerHttpResponse> {

    /** Spring Boot's default {@code server.compression.mime-types}. */
    static final List<String> DEFAULT_MIME_TYPES = List.of("text/html", "text/xml", "text/plain", "text/css",
            "text/javascript", "application/javascript", "application/json", "application/xml");

    private final List<MimeType> mimeTypes;
    private final long minSize;

    private CompressionHint(List<MimeType> mimeTypes, long minSize) {
        this.mimeTypes = mimeTypes;
        this.minSize = minSize;
    }

    /** The hint for this environment, or null if {@code server.compression.enabled} is not true. */
    static CompressionHint of(Environment environment) {
        Binder binder = Binder.get(environment);
        if (!binder.bind("server.compression.enabled", Boolean.class).orElse(false)) {
            return null;
        }
        List<MimeType> types = binder.bind("server.compression.mime-types", String[].class)
                .map(List::of).orElse(DEFAULT_MIME_TYPES).stream().map(MimeType::valueOf).toList();
        long min = binder.bind("server.compression.min-response-size", DataSize.class)
                .orElse(DataSize.ofKilobytes(2)).toBytes();
        return new CompressionHint(types, min);
    }

    @Override
    public boolean test(ServerHttpRequest request, ServerHttpResponse response) {
        String accept = String.join(",", request.getHeaders().getOrEmpty(HttpHeaders.ACCEPT_ENCODING))
                .toLowerCase(Locale.ROOT);
        if (!(accept.contains("gzip") || accept.contains("deflate") || accept.contains("br")
                || accept.contains("zstd") || accept.contains("*"))) {
            return false;
        }
        MediaType type = response.getHeaders().getContentType();
        if (type == null || mimeTypes.stream().noneMatch(m -> m.isCompatibleWith(type))) {
            return false;
        }
        long length = response.getHeaders().getContentLength();
        return length < 0 || length >= minSize;
    }
}
