package io.fileflux.spring.webflux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.reactor.ReadOptions;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.util.HtmlUtils;

/**
 * {@link FileServingHandler} behind a {@code RouterFunction} (WebTestClient bound to it, no network): files,
 * ranges, conditional requests, listings whose links work for any file name, symbolic links out of the root
 * listed without their target's metadata, listings off, and each body reported to the transfer listener.
 */
class FileServingHandlerTest {

    @TempDir
    Path base;

    Path root;
    BufferPool pool;
    TransferCounters counters;
    WebTestClient client;

    @BeforeEach
    void serve() throws IOException {
        base = base.toRealPath();
        root = Files.createDirectories(base.resolve("root"));
        Path secret = Files.writeString(base.resolve("secret.txt"), "top secret\n");
        Files.writeString(root.resolve("ten.txt"), "0123456789");
        Files.createSymbolicLink(root.resolve("escape"), secret);
        Files.createSymbolicLink(root.resolve("escape-dir"), base);
        pool = new BufferPool(64 * 1024, 16);
        counters = new TransferCounters();
        FileServingOptions options = FileServingOptions.defaults()
                .withReadOptions(ReadOptions.defaults().chunkSize(64 * 1024).pooled(pool))
                .withListener(counters).withListing(true);
        client = WebTestClient.bindToRouterFunction(new FileServingHandler(root, "/files", options,
                new DirectoryListing()).routes()).build();
    }

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, pool.outstanding(), "pool buffers out");
    }

    @Test
    void filesRangesAndConditionsThroughTheRouter() {
        client.get().uri("/files/ten.txt").exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Accept-Ranges", "bytes")
                .expectHeader().contentType("text/plain;charset=UTF-8")
                .expectBody(String.class).isEqualTo("0123456789");
        String etag = client.head().uri("/files/ten.txt").exchange().expectStatus().isOk()
                .expectHeader().contentLength(10).returnResult(Void.class).getResponseHeaders().getETag();
        assertNotNull(etag);
        client.get().uri("/files/ten.txt").header("Range", "bytes=2-4").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectHeader().valueEquals("Content-Range", "bytes 2-4/10").expectBody(String.class).isEqualTo("234");
        client.get().uri("/files/ten.txt").header("Range", "bytes=0-0,-1").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectHeader().valueMatches("Content-Type", "multipart/byteranges;boundary=.*");
        client.get().uri("/files/ten.txt").header("Range", "bytes=20-").exchange()
                .expectStatus().isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                .expectHeader().valueEquals("Content-Range", "bytes */10");
        client.get().uri("/files/ten.txt").header("If-None-Match", etag).exchange()
                .expectStatus().isNotModified().expectHeader().valueEquals("ETag", etag);
        client.get().uri("/files/ten.txt").header("If-Match", "\"other\"").exchange()
                .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED);
        // the mock response has no zero-copy path: everything streamed, and said so
        assertEquals(0, counters.zeroCopy());
        assertEquals(3, counters.streamed());
        assertEquals(10 + 3 + 2, counters.streamedBytes());
    }

    @Test
    void traversalAndLinksOutOfTheRoot() {
        client.get().uri(URI.create("/files/%2e%2e/secret.txt")).exchange().expectStatus().isNotFound();
        client.get().uri("/files/escape").exchange().expectStatus().isForbidden();
        client.get().uri("/files/escape-dir/").exchange().expectStatus().isForbidden();
        client.get().uri("/other/ten.txt").exchange().expectStatus().isNotFound();
    }

    /** Regression: the link to {@code a\b.txt} was a 404; every other odd name is checked the same way. */
    @Test
    void listingLinksWorkForEveryFileName() throws IOException {
        List<String> names = new ArrayList<>(List.of("100% sure.txt", "#hash.txt", "what?.txt", "with space.txt",
                "ünïcødé ☃.txt", "a&b<c>.txt", "semi;colon.txt", "plus+equals=.txt", "quote'\".txt", "colon:x.txt",
                "tilde~.txt", "%2e%2e.txt", "..txt", "brackets[1].txt"));
        if (File.separatorChar == '/') {
            names.add("a\\b.txt");
        }
        Path dir = Files.createDirectories(root.resolve("odd names"));
        for (String name : names) {
            Files.writeString(dir.resolve(name), "content of " + name);
        }
        URI listing = URI.create("http://localhost/files/odd%20names/");
        String html = client.get().uri(listing).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertNotNull(html);
        Matcher m = Pattern.compile("<a href=\"([^\"]*)\">([^<]*)</a>").matcher(html);
        int checked = 0;
        while (m.find()) {
            String shown = HtmlUtils.htmlUnescape(m.group(2));
            if (shown.equals("../")) {
                continue;
            }
            URI target = listing.resolve(HtmlUtils.htmlUnescape(m.group(1)));
            assertEquals("localhost", target.getHost(), m.group(1));
            byte[] body = client.get().uri(target).exchange().expectStatus().isOk()
                    .expectBody(byte[].class).returnResult().getResponseBody();
            assertEquals("content of " + shown, new String(body, StandardCharsets.UTF_8), target.toString());
            checked++;
        }
        assertEquals(names.size(), checked, html);
    }

    /** Regression: the listing showed the size and date of a link's target outside the root. */
    @Test
    void linksOutOfTheRootAreListedWithoutMetadata() {
        String html = client.get().uri("/files/").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertNotNull(html);
        assertTrue(html.contains("<tr><td><a href=\"./escape\">escape</a></td><td class=\"size\"></td><td></td>"), html);
        assertTrue(html.contains("<tr><td><a href=\"./escape-dir\">escape-dir</a></td><td class=\"size\"></td><td></td>"),
                html);
        assertFalse(html.contains(">11<"), "the secret's size: " + html);
        assertTrue(html.contains("<a href=\"./ten.txt\">ten.txt</a></td><td class=\"size\">10</td>"), html);
    }

    @Test
    void directoriesRedirectToTheirSlashAndAre404WithoutListings() throws IOException {
        Files.createDirectories(root.resolve("sub"));
        client.get().uri("/files/sub").exchange().expectStatus().isEqualTo(HttpStatus.MOVED_PERMANENTLY)
                .expectHeader().valueEquals("Location", "/files/sub/");
        client.get().uri("/files").exchange().expectStatus().isEqualTo(HttpStatus.MOVED_PERMANENTLY)
                .expectHeader().valueEquals("Location", "/files/");
        WebTestClient unlisted = WebTestClient.bindToRouterFunction(new FileServingHandler(root,
                FileServingOptions.defaults()).routes()).build();
        unlisted.get().uri("/sub/").exchange().expectStatus().isNotFound();
        unlisted.get().uri("/ten.txt").exchange().expectStatus().isOk();
    }

    @Test
    void aRedirectNeverLeavesTheServer() {
        assertEquals("/evil.example.com/x", FileServingHandler.sameOriginPath("//evil.example.com/x"));
        assertEquals("/%5Cevil.example.com", FileServingHandler.sameOriginPath("/\\evil.example.com"));
    }

    @Test
    void theUnprivilegedCaseIsRealOnlyWithoutRoot() throws IOException {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root reads any file (ServeFixesTest runs it "
                + "without that power)");
        Path secret = Files.writeString(root.resolve("unreadable.txt"), "x");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        client.get().uri("/files/unreadable.txt").exchange().expectStatus().isForbidden();
        client.head().uri("/files/unreadable.txt").exchange().expectStatus().isForbidden();
    }
}
