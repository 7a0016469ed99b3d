package io.fileflux.samples.server.site;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.TestFiles;
import io.fileflux.spring.webflux.TransferCounters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** The ordinary application picks Fileflux up through the starter, and drops it with {@code fileflux.enabled=false}. */
class StaticSiteApplicationTest {

    @TempDir
    Path dir;

    @Test
    void staticResourcesAndResourceResponsesGoThroughFileflux() throws Exception {
        byte[] data = TestFiles.create(dir.resolve("data.bin"), 1 << 20, 5);
        try (ConfigurableApplicationContext app = SpringApplication.run(StaticSiteApplication.class,
                "--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
                "--spring.web.resources.static-locations=file:" + dir + "/", "--site.downloads=" + dir)) {
            TransferCounters counters = app.getBean(TransferCounters.class);
            String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
            assertArrayEquals(data, get(base + "/data.bin", null).body());
            assertArrayEquals(data, get(base + "/download/data.bin", null).body());
            assertEquals(2, counters.zeroCopy(), counters.toString());
            HttpResponse<byte[]> multi = get(base + "/data.bin", "bytes=0-9,100-109");
            assertEquals(206, multi.statusCode());
            assertEquals(1, counters.streamed(), counters.toString());
        }
    }

    @Test
    void fileFluxEnabledFalseIsPlainSpring() throws Exception {
        byte[] data = TestFiles.create(dir.resolve("data.bin"), 1 << 20, 6);
        try (ConfigurableApplicationContext app = SpringApplication.run(StaticSiteApplication.class,
                "--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
                "--spring.web.resources.static-locations=file:" + dir + "/", "--fileflux.enabled=false")) {
            assertTrue(app.getBeansOfType(TransferCounters.class).isEmpty());
            String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
            assertArrayEquals(data, get(base + "/data.bin", null).body());
        }
    }

    private static HttpResponse<byte[]> get(String url, String range) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (range != null) {
            r.header("Range", range);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
