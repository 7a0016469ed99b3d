package io.fileflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fileflux.spring.webflux.TransferCounters;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With compression on ({@code server.compression.enabled}), Reactor Netty could not send a file zero-copy
 * (it would read it in 1 KiB chunks on the event loop): the starter streams it through Fileflux, and the
 * compressed body is the file.
 */
@SpringBootTest(classes = StarterTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "server.compression.enabled=true",
                "server.compression.mime-types=application/octet-stream", "server.compression.min-response-size=1"})
class StarterCompressionTest {

    @DynamicPropertySource
    static void staticLocations(DynamicPropertyRegistry registry) {
        StarterTestApp.staticLocations(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    TransferCounters counters;

    @Test
    void compressedResponsesAreStreamedThroughFileflux() throws Exception {
        StarterHttpClient client = new StarterHttpClient("http://127.0.0.1:" + port, null);
        long zeroCopy = counters.zeroCopy();
        long streamed = counters.streamed();
        HttpResponse<byte[]> r = client.get("/big.bin", "Accept-Encoding", "gzip");
        assertEquals(200, r.statusCode());
        assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(null), r.headers().toString());
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            assertArrayEquals(StarterTestApp.BIG, in.readAllBytes());
        }
        assertEquals(streamed + 1, counters.streamed());
        assertEquals(zeroCopy, counters.zeroCopy());
    }
}
