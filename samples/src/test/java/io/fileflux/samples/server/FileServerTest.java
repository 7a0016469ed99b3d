package io.fileflux.samples.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fileflux.core.TestFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The file server over real HTTP on a random loopback port: WebTestClient, raw sockets and curl. */
class FileServerTest {

    static ServerFixture fx;
    static WebTestClient client;

    @BeforeAll
    static void start() throws IOException {
        fx = new ServerFixture();
        client = WebTestClient.bindToServer().baseUrl(fx.url("")).responseTimeout(Duration.ofSeconds(60))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(64 << 20)).build();
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    @AfterEach
    void nothingLeftOpen() {
        fx.awaitIdle();
    }

    static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    @Test
    void wholeFilesByteExactWithValidators() {
        var small = client.get().uri("/small.txt").exchange().expectStatus().isOk()
                .expectHeader().contentLength(10_000)
                .expectHeader().valueEquals(HttpHeaders.ACCEPT_RANGES, "bytes")
                .expectHeader().contentType("text/plain;charset=UTF-8")
                .expectHeader().exists(HttpHeaders.ETAG)
                .expectHeader().exists(HttpHeaders.LAST_MODIFIED)
                .expectBody(byte[].class).returnResult();
        assertArrayEquals(fx.small, small.getResponseBody());
        byte[] big = client.get().uri("/big.bin").exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertArrayEquals(fx.big, big);
        client.get().uri(java.net.URI.create(fx.url("/hello%20world.md"))).exchange().expectStatus().isOk()
                .expectHeader().contentType("text/markdown;charset=UTF-8").expectBody(String.class).isEqualTo("# hello\n");
        client.get().uri("/link-inside.txt").exchange().expectStatus().isOk().expectBody().consumeWith(
                r -> assertArrayEquals(fx.small, r.getResponseBody()));
    }

    @Test
    void singleSuffixAndOpenEndedRanges() {
        assertRange("bytes=100-199", "bytes 100-199/10000", slice(fx.small, 100, 200));
        assertRange("bytes=-500", "bytes 9500-9999/10000", slice(fx.small, 9500, 10_000));
        assertRange("bytes=9000-", "bytes 9000-9999/10000", slice(fx.small, 9000, 10_000));
        assertRange("bytes=9990-20000", "bytes 9990-9999/10000", slice(fx.small, 9990, 10_000));
    }

    void assertRange(String range, String contentRange, byte[] expected) {
        byte[] body = client.get().uri("/small.txt").header(HttpHeaders.RANGE, range).exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, contentRange)
                .expectHeader().contentLength(expected.length)
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertArrayEquals(expected, body, range);
    }

    @Test
    void multipleRangesAsMultipartByteranges() {
        var result = client.get().uri("/big.bin").header(HttpHeaders.RANGE, "bytes=0-9, 1000000-1999999, -5")
                .exchange().expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectBody(byte[].class).returnResult();
        MediaType type = result.getResponseHeaders().getContentType();
        assertNotNull(type);
        assertEquals("multipart/byteranges", type.getType() + "/" + type.getSubtype());
        String boundary = type.getParameter("boundary");
        byte[] body = result.getResponseBody();
        assertEquals(result.getResponseHeaders().getContentLength(), body.length);
        List<byte[]> parts = parts(body, boundary);
        assertEquals(3, parts.size());
        assertArrayEquals(slice(fx.big, 0, 10), parts.get(0));
        assertArrayEquals(slice(fx.big, 1_000_000, 2_000_000), parts.get(1));
        assertArrayEquals(slice(fx.big, ServerFixture.BIG - 5, ServerFixture.BIG), parts.get(2));
        String text = new String(body, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("Content-Range: bytes 1000000-1999999/" + ServerFixture.BIG + "\r\n"));
    }

    /** The bodies of a multipart/byteranges response (each part: headers, blank line, bytes). */
    static List<byte[]> parts(byte[] body, String boundary) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "\r\n--" + boundary;
        List<byte[]> parts = new ArrayList<>();
        int at = text.indexOf(delimiter);
        while (at >= 0 && !text.startsWith("--", at + delimiter.length())) {
            int start = text.indexOf("\r\n\r\n", at) + 4;
            int next = text.indexOf(delimiter, start);
            parts.add(Arrays.copyOfRange(body, start, next));
            at = next;
        }
        return parts;
    }

    @Test
    void conditionalRequests() {
        var ok = client.get().uri("/small.txt").exchange().expectStatus().isOk().expectBody().returnResult();
        String etag = ok.getResponseHeaders().getETag();
        String lastModified = ok.getResponseHeaders().getFirst(HttpHeaders.LAST_MODIFIED);
        client.get().uri("/small.txt").header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
                .expectStatus().isNotModified().expectHeader().valueEquals(HttpHeaders.ETAG, etag)
                .expectBody().isEmpty();
        client.get().uri("/small.txt").header(HttpHeaders.IF_MODIFIED_SINCE, lastModified).exchange()
                .expectStatus().isNotModified();
        client.get().uri("/small.txt").header(HttpHeaders.IF_NONE_MATCH, "\"other\"").exchange()
                .expectStatus().isOk();
        // If-Range: the range applies while the validator matches, else the whole file is sent
        client.get().uri("/small.txt").header(HttpHeaders.RANGE, "bytes=0-9").header(HttpHeaders.IF_RANGE, etag)
                .exchange().expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectHeader().contentLength(10);
        client.get().uri("/small.txt").header(HttpHeaders.RANGE, "bytes=0-9").header(HttpHeaders.IF_RANGE, lastModified)
                .exchange().expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT);
        client.get().uri("/small.txt").header(HttpHeaders.RANGE, "bytes=0-9").header(HttpHeaders.IF_RANGE, "\"stale\"")
                .exchange().expectStatus().isOk().expectHeader().contentLength(10_000);
    }

    /**
     * Regression: {@code If-Match} was ignored on GET/HEAD (Spring checks it for unsafe methods only), and
     * {@code If-None-Match: *} did not give 304. RFC 9110 §13.1.1, §13.1.2, §13.2.2.
     */
    @Test
    void ifMatchAndIfNoneMatchFollowRfc9110OnGetAndHead() {
        var ok = client.get().uri("/small.txt").exchange().expectStatus().isOk().expectBody().returnResult();
        String etag = ok.getResponseHeaders().getETag();
        String lastModified = ok.getResponseHeaders().getFirst(HttpHeaders.LAST_MODIFIED);
        assertNotNull(etag);
        for (boolean head : List.of(false, true)) {
            // If-Match: 412 unless one of the tags is the current one (strong comparison), * matches a file
            for (String ifMatch : List.of("\"x\"", "W/" + etag, "\"x\", \"y\"", "garbage")) {
                request(head, "/small.txt").header(HttpHeaders.IF_MATCH, ifMatch).exchange()
                        .expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED);
            }
            for (String ifMatch : List.of(etag, "*", "\"x\", " + etag, "\"a,b\"," + etag)) {
                request(head, "/small.txt").header(HttpHeaders.IF_MATCH, ifMatch).exchange()
                        .expectStatus().isOk().expectHeader().contentLength(10_000);
            }
            // If-None-Match: * matches an existing file; W/ tags match by weak comparison
            for (String ifNoneMatch : List.of("*", etag, "W/" + etag, "\"x\", " + etag)) {
                request(head, "/small.txt").header(HttpHeaders.IF_NONE_MATCH, ifNoneMatch).exchange()
                        .expectStatus().isNotModified().expectHeader().valueEquals(HttpHeaders.ETAG, etag)
                        .expectBody().isEmpty();
            }
            // If-Unmodified-Since (only without If-Match)
            request(head, "/small.txt").header(HttpHeaders.IF_UNMODIFIED_SINCE, "Thu, 01 Jan 1970 00:00:00 GMT")
                    .exchange().expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED);
            request(head, "/small.txt").header(HttpHeaders.IF_UNMODIFIED_SINCE, lastModified).exchange()
                    .expectStatus().isOk();
            request(head, "/small.txt").header(HttpHeaders.IF_MATCH, etag)
                    .header(HttpHeaders.IF_UNMODIFIED_SINCE, "Thu, 01 Jan 1970 00:00:00 GMT").exchange()
                    .expectStatus().isOk();
            // If-None-Match takes precedence over If-Modified-Since
            request(head, "/small.txt").header(HttpHeaders.IF_NONE_MATCH, "\"x\"")
                    .header(HttpHeaders.IF_MODIFIED_SINCE, lastModified).exchange().expectStatus().isOk();
        }
        // a failed If-Match wins over a Range; a matching one lets it through
        client.get().uri("/small.txt").header(HttpHeaders.IF_MATCH, "\"x\"").header(HttpHeaders.RANGE, "bytes=0-9")
                .exchange().expectStatus().isEqualTo(HttpStatus.PRECONDITION_FAILED);
        client.get().uri("/small.txt").header(HttpHeaders.IF_MATCH, etag).header(HttpHeaders.RANGE, "bytes=0-9")
                .exchange().expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectHeader().contentLength(10);
        // raw: the same over one socket, HEAD included
        assertTrue(rawHead("HEAD", "/small.txt", "If-Match: \"x\"").startsWith("HTTP/1.1 412"));
        assertTrue(rawHead("GET", "/small.txt", "If-None-Match: *").startsWith("HTTP/1.1 304"));
    }

    static WebTestClient.RequestHeadersSpec<?> request(boolean head, String path) {
        return head ? client.head().uri(path) : client.get().uri(path);
    }

    static String rawHead(String method, String path, String... headers) {
        try {
            return fx.rawResponseHead(method, path, headers);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void unsatisfiableRangesAre416() {
        for (String range : List.of("bytes=10000-", "bytes=20000-30000", "bytes=0-9999,0-9999", "bytes=x-y")) {
            client.get().uri("/small.txt").header(HttpHeaders.RANGE, range).exchange()
                    .expectStatus().isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    .expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes */10000");
        }
    }

    /**
     * Regression (RFC 9110 §14.2): an unknown unit was a 416 (must be ignored), {@code BYTES=} was refused
     * (units are case-insensitive), a last-byte-pos beyond a long was a 416 (it is the end), and one
     * unsatisfiable range in a set made the whole request a 416 (the satisfiable ones are served).
     */
    @Test
    void rangeHeadersFollowRfc9110() {
        byte[] ten = "0123456789".getBytes(StandardCharsets.US_ASCII);
        for (String ignored : List.of("items=0-1", "none", "x-bytes=0-1", "bytesx=0-1")) {
            client.get().uri("/ten.txt").header(HttpHeaders.RANGE, ignored).exchange().expectStatus().isOk()
                    .expectHeader().contentLength(10).expectBody(byte[].class).isEqualTo(ten);
        }
        assertTenRange("BYTES=0-1", "bytes 0-1/10", "01");
        assertTenRange("Bytes=-3", "bytes 7-9/10", "789");
        assertTenRange("bytes=0-9999999999999999999999", "bytes 0-9/10", "0123456789");
        assertTenRange("bytes=5-" + "9".repeat(40), "bytes 5-9/10", "56789");
        assertTenRange("bytes=-99999999999999999999999", "bytes 0-9/10", "0123456789");
        assertTenRange("bytes=0-1,20-30", "bytes 0-1/10", "01");
        assertTenRange("bytes=20-30, -0, 8-", "bytes 8-9/10", "89");
        assertTenRange("bytes= 2-3 ,", "bytes 2-3/10", "23");
        // two satisfiable ranges of several: multipart with those two
        var multi = client.get().uri("/ten.txt").header(HttpHeaders.RANGE, "bytes=0-1,20-30,8-9").exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT).expectBody(byte[].class).returnResult();
        MediaType type = multi.getResponseHeaders().getContentType();
        assertNotNull(type);
        List<byte[]> parts = parts(multi.getResponseBody(), type.getParameter("boundary"));
        assertEquals(2, parts.size());
        assertArrayEquals("01".getBytes(StandardCharsets.US_ASCII), parts.get(0));
        assertArrayEquals("89".getBytes(StandardCharsets.US_ASCII), parts.get(1));
        // 416 only when no range is satisfiable, or the byte range set is invalid
        for (String range : List.of("bytes=10-", "bytes=20-30,40-50", "bytes=-0", "bytes=5-2", "bytes=a-b",
                "bytes=", "bytes=,", "bytes=1")) {
            client.get().uri("/ten.txt").header(HttpHeaders.RANGE, range).exchange()
                    .expectStatus().isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    .expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, "bytes */10");
        }
    }

    void assertTenRange(String range, String contentRange, String expected) {
        client.get().uri("/ten.txt").header(HttpHeaders.RANGE, range).exchange()
                .expectStatus().isEqualTo(HttpStatus.PARTIAL_CONTENT)
                .expectHeader().valueEquals(HttpHeaders.CONTENT_RANGE, contentRange)
                .expectHeader().contentLength(expected.length())
                .expectBody(String.class).isEqualTo(expected);
    }

    /** Regression: HEAD of the status endpoint was a 404 while GET gave 200. */
    @Test
    void statusAnswersHeadLikeGet() {
        var get = client.get().uri(FileServer.STATUS_PATH).exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_JSON).expectBody(String.class).returnResult();
        client.head().uri(FileServer.STATUS_PATH).exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-store")
                .expectBody().isEmpty();
        assertTrue(get.getResponseBody().contains("\"engine\""), get.getResponseBody());
        client.post().uri(FileServer.STATUS_PATH).exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
    }

    /** Regression: {@code /ten.txt/} answered 200 with the file. A path ending with / names a directory. */
    @Test
    void aFileAskedForWithATrailingSlashIs404() throws IOException {
        for (String raw : List.of("/ten.txt/", "/ten.txt//", "/link-inside.txt/", "/sub%20dir/inner.txt/",
                "/_fileflux/tail/ten.txt/", "/_fileflux/view/ten.txt/")) {
            for (String method : List.of("GET", "HEAD")) {
                String head = fx.rawResponseHead(method, raw);
                assertTrue(head.startsWith("HTTP/1.1 404"), method + " " + raw + " -> " + head);
            }
        }
        client.get().uri("/ten.txt").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("0123456789");
        client.get().uri(java.net.URI.create(fx.url("/sub%20dir/"))).exchange().expectStatus().isOk();
        assertTrue(fx.rawStatusLine("/").startsWith("HTTP/1.1 200"));
    }

    @Test
    void headSendsHeadersOnlyAndOpensNothing() {
        long submitted = fx.engine.stats().submitted();
        client.head().uri("/big.bin").exchange().expectStatus().isOk()
                .expectHeader().contentLength(ServerFixture.BIG)
                .expectHeader().valueEquals(HttpHeaders.ACCEPT_RANGES, "bytes")
                .expectBody().isEmpty();
        assertEquals(submitted, fx.engine.stats().submitted(), "no read for HEAD");
        client.post().uri("/small.txt").exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
    }

    @Test
    void headReportsTheSameHeadersAsGetForDirectoriesAndFiles() {
        for (String path : List.of("/", "/sub%20dir/", "/small.txt", "/big.bin", "/hello%20world.md")) {
            java.net.URI uri = java.net.URI.create(fx.url(path));
            var get = client.get().uri(uri).exchange().expectStatus().isOk().expectBody(byte[].class).returnResult();
            var head = client.head().uri(uri).exchange().expectStatus().isOk().expectBody().isEmpty();
            HttpHeaders g = get.getResponseHeaders();
            HttpHeaders h = head.getResponseHeaders();
            byte[] body = get.getResponseBody();
            assertNotNull(body);
            assertEquals(body.length, g.getContentLength(), path);
            assertEquals(g.getContentLength(), h.getContentLength(), path + ": Content-Length");
            for (String name : List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CACHE_CONTROL, HttpHeaders.ETAG,
                    HttpHeaders.LAST_MODIFIED, HttpHeaders.ACCEPT_RANGES)) {
                assertEquals(g.get(name), h.get(name), path + ": " + name);
            }
        }
    }

    @Test
    void traversalIsRefused() throws IOException {
        for (String raw : List.of("/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt",
                "/sub%20dir/../../secret.txt", "/sub%20dir/%2e%2e/%2e%2e/secret.txt", "/%2fetc%2fpasswd",
                "/" + fx.secret.toString().replace("/", "%2f"), "/..%5csecret.txt", "/small.txt%00",
                "/./small.txt")) {
            String status = fx.rawStatusLine(raw);
            assertTrue(status.startsWith("HTTP/1.1 404") || status.startsWith("HTTP/1.1 400"), raw + " -> " + status);
        }
        assertTrue(fx.rawStatusLine("//etc/passwd").startsWith("HTTP/1.1 404"));
        assertTrue(fx.rawStatusLine("/escape").startsWith("HTTP/1.1 403"), "symlink to a file outside the root");
        assertTrue(fx.rawStatusLine("/escape-dir/secret.txt").startsWith("HTTP/1.1 403"), "symlink to a dir outside");
        assertTrue(fx.rawStatusLine("/escape-dir/").startsWith("HTTP/1.1 403"));
        assertTrue(fx.rawStatusLine("/sub%20dir/inner.txt").startsWith("HTTP/1.1 200"));
    }

    @Test
    void directoryListing() {
        client.get().uri(java.net.URI.create(fx.url("/sub%20dir"))).exchange().expectStatus().isEqualTo(HttpStatus.MOVED_PERMANENTLY)
                .expectHeader().valueEquals(HttpHeaders.LOCATION, "/sub%20dir/");
        String html = client.get().uri("/").exchange().expectStatus().isOk()
                .expectHeader().contentType("text/html;charset=UTF-8")
                .expectBody(String.class).returnResult().getResponseBody();
        assertNotNull(html);
        assertTrue(html.contains("<a href=\"./hello%20world.md\">hello world.md</a>"), html);
        assertTrue(html.contains("<a href=\"./sub%20dir/\">sub dir/</a>"), html);
        assertTrue(html.contains(">" + ServerFixture.BIG + "<"), html);
    }

    /**
     * Regression: listing links were the bare encoded name, and {@code encodePathSegment} leaves {@code :}
     * as is, so a file named {@code javascript:alert(document.domain)} became a {@code javascript:} link.
     */
    @Test
    void listingLinksAreRelativeAndNeverASchemeEvenForNamesWithAColon() throws IOException {
        Path dir = Files.createDirectories(fx.root.resolve("colons"));
        Files.writeString(dir.resolve("javascript:alert(document.domain)"), "not a script\n");
        Files.writeString(dir.resolve("foo:bar.txt"), "foo bar\n");
        Files.writeString(dir.resolve("a&amp;b 'q'.txt"), "amp\n");
        Files.createDirectories(dir.resolve("c:dir"));
        Files.writeString(dir.resolve("c:dir").resolve("x.txt"), "x\n");
        java.net.URI listing = java.net.URI.create(fx.url("/colons/"));
        String html = client.get().uri(listing).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertNotNull(html);
        assertFalse(html.contains("href=\"javascript:"), html);
        assertTrue(html.contains("<a href=\"./javascript%3Aalert(document.domain)\">"), html);
        assertTrue(html.contains("<a href=\"./foo%3Abar.txt\">foo:bar.txt</a>"), html);
        assertTrue(html.contains("<a href=\"./c%3Adir/\">c:dir/</a>"), html);
        // every link, resolved against the page as a browser does, stays on this server and works
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("href=\"([^\"]*)\"").matcher(html);
        List<String> targets = new ArrayList<>();
        while (m.find()) {
            java.net.URI target = listing.resolve(org.springframework.web.util.HtmlUtils.htmlUnescape(m.group(1)));
            assertEquals("http", target.getScheme(), m.group(1));
            assertEquals(listing.getRawAuthority(), target.getRawAuthority(), m.group(1));
            client.get().uri(target).exchange().expectStatus().isOk();
            targets.add(target.getRawPath());
        }
        assertTrue(targets.contains("/colons/foo%3Abar.txt"), targets.toString());
        assertTrue(targets.contains("/colons/c%3Adir/"), targets.toString());
        assertTrue(targets.contains("/_fileflux/view/colons/foo%3Abar.txt"), targets.toString());
        client.get().uri(listing.resolve("./foo%3Abar.txt")).exchange().expectStatus().isOk()
                .expectBody(String.class).isEqualTo("foo bar\n");
        client.get().uri(listing.resolve("./a%26amp%3Bb%20'q'.txt")).exchange().expectStatus().isOk()
                .expectBody(String.class).isEqualTo("amp\n");
        client.get().uri(listing.resolve("./javascript%3Aalert(document.domain)")).exchange().expectStatus().isOk()
                .expectBody(String.class).isEqualTo("not a script\n");
    }

    /**
     * Regression: {@code //evil.example.com} (a directory of that name) redirected to
     * {@code //evil.example.com/}, a protocol-relative URL: another host.
     */
    @Test
    void directoryRedirectsStayOnThisServer() throws IOException {
        Files.createDirectories(fx.root.resolve("evil.example.com"));
        for (String raw : List.of("//evil.example.com", "///evil.example.com", "/evil.example.com",
                "//evil.example.com?x=1")) {
            String head = fx.rawResponseHead("GET", raw);
            assertTrue(head.startsWith("HTTP/1.1 301"), raw + " -> " + head);
            assertEquals("/evil.example.com/", ServerFixture.header(head, HttpHeaders.LOCATION), raw);
        }
        String head = fx.rawResponseHead("HEAD", "//sub%20dir");
        assertTrue(head.startsWith("HTTP/1.1 301"), head);
        assertEquals("/sub%20dir/", ServerFixture.header(head, HttpHeaders.LOCATION));
        assertTrue(fx.rawStatusLine("//evil.example.com/").startsWith("HTTP/1.1 200"));
    }

    @Test
    void clientAbortingAfterTheFirstMegabyteCancelsReadsAndClosesTheFile() throws Exception {
        Path big = fx.root.resolve("big.bin");
        long cancelledBefore = fx.engine.stats().cancelled();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", fx.server.port()));
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            while (got < (1 << 20)) {
                int n = in.read(buf);
                assertTrue(n > 0, "server closed early");
                got += n;
            }
            assertTrue(TestFiles.isOpen(big), "the download is still running: the file is open");
            s.setSoLinger(true, 0); // abort: RST, as a browser tab closing mid-download
        }
        fx.awaitIdle();
        TestFiles.await(Duration.ofSeconds(60), "big.bin closed", () -> !TestFiles.isOpen(big));
        String status = client.get().uri(FileServer.STATUS_PATH).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertNotNull(status);
        assertTrue(status.contains("\"openFiles\":0") && status.contains("\"inFlight\":0"), status);
        assertTrue(status.contains("\"activeResponses\":0"), status);
        assertTrue(fx.engine.stats().cancelled() >= cancelledBefore);
    }

    @Test
    void aSlowClientHoldsBoundedMemory() throws Exception {
        long before = bytesRead();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", fx.server.port()));
            s.setSoTimeout(60_000);
            s.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            while (got < (1 << 20)) {
                got += in.read(buf);
            }
            // stop reading: the server must stop reading the file too, and say it waits for this client
            TestFiles.await(Duration.ofSeconds(60), "the download waits for its client",
                    () -> statusValue("waitingForClient") == 1);
            long read = bytesRead() - before;
            long buffered = read - got;
            System.out.println("slow client: read " + got + " bytes, server read " + read + ", ahead by " + buffered
                    + " (Netty's buffers and the kernel's socket buffers)");
            assertTrue(buffered < ServerFixture.BIG - (4 << 20), "server read " + read + " of " + ServerFixture.BIG
                    + " bytes for a client that took " + got);
            s.setSoLinger(true, 0);
        }
        fx.awaitIdle();
    }

    static long bytesRead() {
        return statusValue("bytesRead");
    }

    static long statusValue(String name) {
        String status = client.get().uri(FileServer.STATUS_PATH).exchange().expectBody(String.class).returnResult()
                .getResponseBody();
        String v = status.replaceAll(".*\"" + name + "\":(\\d+).*", "$1");
        return Long.parseLong(v.trim());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- a real curl ----

    static boolean hasCurl() {
        try {
            return new ProcessBuilder("curl", "--version").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static byte[] curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--fail", "--max-time", "60", "--noproxy", "*"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "curl finished");
        assertEquals(0, p.exitValue(), "curl " + String.join(" ", args));
        return out;
    }

    @Test
    void curlDownloadsWholeFilesAndRanges() throws Exception {
        assumeTrue(hasCurl(), "curl is not installed");
        Path out = Files.createTempFile("fileflux-curl", ".bin");
        try {
            curl("-o", out.toString(), fx.url("/big.bin"));
            assertEquals(-1, Files.mismatch(out, fx.root.resolve("big.bin")), "byte-exact download");
            assertArrayEquals(slice(fx.small, 9500, 10_000), curl("-r", "-500", fx.url("/small.txt")));
            assertArrayEquals(slice(fx.small, 1234, 10_000), curl("-r", "1234-", fx.url("/small.txt")));
            String multi = new String(curl("-i", "-r", "0-9,100-109", fx.url("/small.txt")), StandardCharsets.ISO_8859_1);
            assertTrue(multi.startsWith("HTTP/1.1 206"), multi);
            assertTrue(multi.contains("Content-Range: bytes 100-109/10000"), multi);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Regression: on one keep-alive connection, a redirect or an error answered while the previous
     * file body was still completing made Reactor Netty 1.3.7 stop reading the connection, and the
     * next request hung (reactor-netty#4361). File bodies now close their connection.
     */
    @Test
    void mixedResponsesOnOneKeepAliveClientNeverHang() throws Exception {
        assumeTrue(hasCurl(), "curl is not installed");
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--noproxy", "*", "--max-time", "20",
                "-w", "[%{http_code}]"));
        String[] paths = {"/sub%20dir", "/small.txt", "/missing.txt", "/small.txt", "/", "/small.txt",
                "/sub%20dir", "/small.txt", "/missing.txt", "/small.txt"};
        for (String path : paths) {
            cmd.add("-o");
            cmd.add("/dev/null");
            cmd.add(fx.url(path));
        }
        for (int round = 0; round < 5; round++) {
            Process p = new ProcessBuilder(cmd).start();
            String codes = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals("[301][200][404][200][200][200][301][200][404][200]", codes, "round " + round);
        }
        fx.awaitIdle();
    }

    @Test
    void curlSeesTraversalRefused() throws Exception {
        assumeTrue(hasCurl(), "curl is not installed");
        Process p = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is",
                "--noproxy", "*", "--max-time", "20", fx.url("/../secret.txt")).start();
        String code = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals("404", code);
        assertFalse(code.isEmpty());
    }
}
