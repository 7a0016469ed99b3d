package io.fileflux.samples.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The {@code --compare} endpoints ({@code /_compare/spring/}, {@code /_compare/dbu/}) over real HTTP. */
class FileServerCompareTest {

    static ServerFixture fx;
    static WebTestClient client;

    @BeforeAll
    static void start() throws IOException {
        fx = new ServerFixture(FileServerSettings.DEFAULT_HEARTBEAT, true);
        client = WebTestClient.bindToServer().baseUrl(fx.url("")).responseTimeout(Duration.ofSeconds(60))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(64 << 20)).build();
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void compareEndpointsServeFilesInsideTheRoot() {
        for (String prefix : List.of("/_compare/spring", "/_compare/dbu")) {
            client.get().uri(prefix + "/small.txt").exchange().expectStatus().isOk()
                    .expectBody(byte[].class).consumeWith(r -> assertArrayEquals(fx.small, r.getResponseBody()));
            client.get().uri(prefix + "/link-inside.txt").exchange().expectStatus().isOk()
                    .expectBody(byte[].class).consumeWith(r -> assertArrayEquals(fx.small, r.getResponseBody()));
            client.get().uri(URI.create(fx.url(prefix + "/sub%20dir/inner.txt"))).exchange().expectStatus().isOk()
                    .expectBody(String.class).isEqualTo("inner\n");
        }
        client.get().uri("/_compare/dbu/big.bin?buffer=262144").exchange().expectStatus().isOk()
                .expectBody(byte[].class).consumeWith(r -> assertArrayEquals(fx.big, r.getResponseBody()));
    }

    /** Regression: Spring's resource handling followed symbolic links out of the root. */
    @Test
    void symlinksOutOfTheRootAreRefusedLikeTheFileRoutes() throws IOException {
        for (String prefix : List.of("/_compare/spring", "/_compare/dbu")) {
            for (String path : List.of("/escape", "/escape-dir/secret.txt")) {
                String head = fx.rawResponseHead("GET", prefix + path);
                assertTrue(head.startsWith("HTTP/1.1 403"), prefix + path + " -> " + head);
                String body = client.get().uri(prefix + path).exchange().expectStatus().isForbidden()
                        .expectBody(String.class).returnResult().getResponseBody();
                assertFalse(body != null && body.contains("top secret"), prefix + path);
            }
            for (String raw : List.of("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/small.txt/")) {
                String head = fx.rawResponseHead("GET", prefix + raw);
                assertTrue(head.startsWith("HTTP/1.1 404") || head.startsWith("HTTP/1.1 400"), prefix + raw + " -> " + head);
            }
        }
        String head = fx.rawResponseHead("HEAD", "/_compare/spring/escape");
        assertTrue(head.startsWith("HTTP/1.1 403"), head);
    }

    /** Regression: {@code ?buffer=0} or {@code -1} failed with a 500 and a JSON stack trace. */
    @Test
    void dbuBufferIsValidated() {
        for (String buffer : List.of("0", "-1", "x", "", "99999999999", Integer.toString(FileServer.MAX_DBU_BUFFER + 1))) {
            String body = client.get().uri("/_compare/dbu/small.txt?buffer={b}", buffer).exchange()
                    .expectStatus().isEqualTo(HttpStatus.BAD_REQUEST)
                    .expectBody(String.class).returnResult().getResponseBody();
            assertEquals("400 buffer must be a number of bytes from 1 to " + FileServer.MAX_DBU_BUFFER + "\n", body,
                    "buffer=" + buffer);
        }
        client.get().uri("/_compare/dbu/small.txt?buffer=1").exchange().expectStatus().isOk()
                .expectBody(byte[].class).consumeWith(r -> assertArrayEquals(fx.small, r.getResponseBody()));
        client.get().uri("/_compare/dbu/small.txt?buffer=" + FileServer.MAX_DBU_BUFFER).exchange().expectStatus().isOk()
                .expectBody(byte[].class).consumeWith(r -> assertArrayEquals(fx.small, r.getResponseBody()));
    }
}
