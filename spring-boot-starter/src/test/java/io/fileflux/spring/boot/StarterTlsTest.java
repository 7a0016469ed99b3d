package io.fileflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fileflux.spring.webflux.Transfer;
import io.fileflux.spring.webflux.TransferCounters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter over TLS (HTTP/1.1, a self-signed certificate made by the running JDK's {@code keytool}): the
 * same answers, every file body streamed through Fileflux (Reactor Netty's own {@code sendFile} would copy the
 * file in 1 KiB chunks on the event loop).
 */
@SpringBootTest(classes = StarterTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off"})
class StarterTlsTest extends FileServingContract {

    static final String PASSWORD = "fileflux-test";
    static final Path KEYSTORE = keystore();

    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry registry) {
        StarterTestApp.staticLocations(registry);
        registry.add("server.ssl.enabled", () -> "true");
        registry.add("server.ssl.key-store", () -> "file:" + KEYSTORE);
        registry.add("server.ssl.key-store-type", () -> "PKCS12");
        registry.add("server.ssl.key-store-password", () -> PASSWORD);
        registry.add("server.ssl.key-alias", () -> "fileflux");
    }

    @LocalServerPort
    int port;

    @Autowired
    TransferCounters counters;

    StarterHttpClient client;

    @BeforeEach
    void connect() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(KEYSTORE)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        client = new StarterHttpClient("https://localhost:" + port, ssl);
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

    /** A PKCS12 key store with a self-signed certificate for localhost and 127.0.0.1, made by keytool. */
    private static Path keystore() {
        try {
            Path dir = Files.createTempDirectory("fileflux-tls");
            Path store = dir.resolve("server.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "fileflux",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", PASSWORD, "-keypass", PASSWORD)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
            store.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return store;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
