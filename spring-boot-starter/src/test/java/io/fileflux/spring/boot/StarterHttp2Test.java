package io.fileflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fileflux.spring.webflux.Transfer;
import io.fileflux.spring.webflux.TransferCounters;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter over cleartext HTTP/2 ({@code server.http2.enabled=true}, h2c): Reactor Netty has no zero-copy path
 * on an HTTP/2 stream, so whole files and single ranges are streamed through Fileflux, with the same answers as over
 * HTTP/1.1.
 */
@SpringBootTest(classes = StarterTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "server.http2.enabled=true"})
class StarterHttp2Test extends FileServingContract {

    @DynamicPropertySource
    static void staticLocations(DynamicPropertyRegistry registry) {
        StarterTestApp.staticLocations(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    TransferCounters counters;

    StarterHttpClient client;

    @BeforeEach
    void connect() throws Exception {
        client = new StarterHttpClient("http://127.0.0.1:" + port, null, HttpClient.Version.HTTP_2);
        // the first request upgrades the connection (h2c); every later one of this client goes over HTTP/2
        assertEquals(200, client.get("/ten.txt").statusCode());
    }

    @Override
    StarterHttpClient client() {
        return client;
    }

    @Override
    TransferCounters counters() {
        return counters;
    }

    @Override
    Transfer wholeFileTransfer() {
        return Transfer.STREAM;
    }

    @Test
    void aSingleRangeOverHttp2IsStreamedThroughFileflux() throws Exception {
        long zeroCopy = counters.zeroCopy();
        long streamed = counters.streamed();
        HttpResponse<byte[]> r = client.get("/big.bin", "Range", "bytes=1000-1999999");
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(StarterTestApp.BIG, 1000, 2_000_000), r.body());
        assertEquals(streamed + 1, counters.streamed(), "streamed through Fileflux over HTTP/2");
        assertEquals(zeroCopy, counters.zeroCopy());
    }

    @Test
    void wholeFilesGoOverHttp2() throws Exception {
        HttpResponse<byte[]> r = client.get("/download/big.bin");
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertArrayEquals(StarterTestApp.BIG, r.body());
    }
}
