package io.fileflux.spring.boot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** A JDK HTTP client for the starter's tests (HTTP/1.1 unless told, plain or over TLS with the test's trust store). */
final class StarterHttpClient {

    private final HttpClient client;
    private final String base;

    StarterHttpClient(String base, SSLContext ssl) {
        this(base, ssl, HttpClient.Version.HTTP_1_1);
    }

    StarterHttpClient(String base, SSLContext ssl, HttpClient.Version version) {
        HttpClient.Builder b = HttpClient.newBuilder().version(version)
                .connectTimeout(Duration.ofSeconds(60));
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.client = b.build();
        this.base = base;
    }

    /** A GET (or another method) with headers given as name, value, name, value... */
    HttpResponse<byte[]> send(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, headers);
    }
}
