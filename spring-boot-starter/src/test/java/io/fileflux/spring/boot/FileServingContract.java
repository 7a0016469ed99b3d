package io.fileflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.spring.webflux.Transfer;
import io.fileflux.spring.webflux.TransferCounters;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an application that only adds the starter gets, for static resources ({@code ""}) and for a controller
 * returning a {@code Resource} ({@code "/download"}): the right bytes, ranges, {@code 206}, {@code 304},
 * {@code 412}, {@code 416}, {@code multipart/byteranges}, and whole files sent the way the connection allows.
 */
abstract class FileServingContract {

    abstract StarterHttpClient client();

    abstract TransferCounters counters();

    /** How a whole file goes on this connection: zero-copy over plain HTTP/1.1, Fileflux over TLS or HTTP/2. */
    abstract Transfer wholeFileTransfer();

    @ParameterizedTest
    @ValueSource(strings = {"", "/download"})
    void wholeFilesAreByteExactWithValidators(String prefix) throws Exception {
        long zeroCopy = counters().zeroCopy();
        long streamed = counters().streamed();
        HttpResponse<byte[]> r = client().get(prefix + "/big.bin");
        assertEquals(200, r.statusCode());
        assertArrayEquals(StarterTestApp.BIG, r.body());
        assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElse(null));
        assertTrue(r.headers().firstValue("ETag").orElse("").startsWith("\""), r.headers().toString());
        assertTrue(r.headers().firstValue("Last-Modified").isPresent(), r.headers().toString());
        if (wholeFileTransfer() == Transfer.ZERO_COPY) {
            assertEquals(zeroCopy + 1, counters().zeroCopy(), "zero-copy for a whole file over plain HTTP/1.1");
            assertEquals(streamed, counters().streamed());
        } else {
            assertEquals(streamed + 1, counters().streamed(), "streamed through Fileflux over TLS");
            assertEquals(zeroCopy, counters().zeroCopy());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/download"})
    void singleRangesAre206(String prefix) throws Exception {
        HttpResponse<byte[]> r = client().get(prefix + "/big.bin", "Range", "bytes=100-199");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 100-199/" + StarterTestApp.BIG.length, r.headers().firstValue("Content-Range").orElse(null));
        assertArrayEquals(Arrays.copyOfRange(StarterTestApp.BIG, 100, 200), r.body());
        HttpResponse<byte[]> suffix = client().get(prefix + "/ten.txt", "Range", "bytes=-3");
        assertEquals(206, suffix.statusCode());
        assertEquals("789", new String(suffix.body(), StandardCharsets.US_ASCII));
        // RFC 9110: a unit other than bytes is ignored
        HttpResponse<byte[]> items = client().get(prefix + "/ten.txt", "Range", "items=0-1");
        assertEquals(200, items.statusCode());
        assertEquals("0123456789", new String(items.body(), StandardCharsets.US_ASCII));
    }

    @org.junit.jupiter.api.Test
    void aResourceRegionFromAControllerIs206() throws Exception {
        long zeroCopy = counters().zeroCopy();
        long streamed = counters().streamed();
        HttpResponse<byte[]> r = client().get("/region/big.bin");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 100-199/" + StarterTestApp.BIG.length, r.headers().firstValue("Content-Range").orElse(null));
        assertArrayEquals(Arrays.copyOfRange(StarterTestApp.BIG, 100, 200), r.body());
        assertEquals(wholeFileTransfer() == Transfer.ZERO_COPY ? zeroCopy + 1 : zeroCopy, counters().zeroCopy());
        assertEquals(wholeFileTransfer() == Transfer.STREAM ? streamed + 1 : streamed, counters().streamed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/download"})
    void severalRangesAreMultipartThroughFileflux(String prefix) throws Exception {
        long streamed = counters().streamed();
        HttpResponse<byte[]> r = client().get(prefix + "/ten.txt", "Range", "bytes=0-1,5-6,-1");
        assertEquals(206, r.statusCode());
        String type = r.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("multipart/byteranges;boundary="), type);
        String boundary = type.substring(type.indexOf('=') + 1);
        String body = new String(r.body(), StandardCharsets.US_ASCII);
        assertEquals(Long.toString(r.body().length), r.headers().firstValue("Content-Length").orElse(null));
        for (String part : new String[] {"Content-Range: bytes 0-1/10\r\n\r\n01\r\n",
                "Content-Range: bytes 5-6/10\r\n\r\n56\r\n", "Content-Range: bytes 9-9/10\r\n\r\n9\r\n"}) {
            assertTrue(body.contains(part), body);
        }
        assertTrue(body.endsWith("--" + boundary + "--\r\n"), body);
        assertEquals(streamed + 1, counters().streamed(), "several ranges are streamed through Fileflux");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/download"})
    void conditionalRequestsFollowRfc9110(String prefix) throws Exception {
        HttpResponse<byte[]> first = client().get(prefix + "/ten.txt");
        String etag = first.headers().firstValue("ETag").orElse(null);
        String lastModified = first.headers().firstValue("Last-Modified").orElse(null);
        assertNotNull(etag);
        assertNotNull(lastModified);
        assertEquals(304, client().get(prefix + "/ten.txt", "If-None-Match", etag).statusCode());
        assertEquals(304, client().get(prefix + "/ten.txt", "If-Modified-Since", lastModified).statusCode());
        assertEquals(200, client().get(prefix + "/ten.txt", "If-None-Match", "\"other\"").statusCode());
        assertEquals(412, client().get(prefix + "/ten.txt", "If-Match", "\"other\"").statusCode());
        assertEquals(412, client().get(prefix + "/ten.txt", "If-Unmodified-Since",
                "Thu, 01 Jan 1998 00:00:00 GMT").statusCode());
        // If-Match present: If-Unmodified-Since is ignored (RFC 9110 §13.2.2; Spring's own check answers 412)
        HttpResponse<byte[]> both = client().get(prefix + "/ten.txt", "If-Match", etag,
                "If-Unmodified-Since", "Thu, 01 Jan 1998 00:00:00 GMT");
        assertEquals(200, both.statusCode());
        assertEquals("0123456789", new String(both.body(), StandardCharsets.US_ASCII));
        // If-Range: a range only while the validator holds
        assertEquals(206, client().get(prefix + "/ten.txt", "Range", "bytes=0-1", "If-Range", etag).statusCode());
        assertEquals(200, client().get(prefix + "/ten.txt", "Range", "bytes=0-1", "If-Range", "\"old\"").statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/download"})
    void unsatisfiableRangesAre416(String prefix) throws Exception {
        HttpResponse<byte[]> r = client().get(prefix + "/ten.txt", "Range", "bytes=10-20");
        assertEquals(416, r.statusCode());
        assertEquals("bytes */10", r.headers().firstValue("Content-Range").orElse(null));
        assertEquals(416, client().get(prefix + "/ten.txt", "Range", "bytes=5-2").statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/download"})
    void headSendsTheHeadersOfGet(String prefix) throws Exception {
        HttpResponse<byte[]> get = client().get(prefix + "/big.bin");
        HttpResponse<byte[]> head = client().send("HEAD", prefix + "/big.bin");
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        for (String h : new String[] {"Content-Length", "ETag", "Last-Modified", "Accept-Ranges", "Content-Type"}) {
            assertEquals(get.headers().firstValue(h), head.headers().firstValue(h), h);
        }
    }
}
