package io.fileflux.samples.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The directory listing rendered by a real headless Chromium (Debian package {@code chromium}): the DOM it
 * builds lists the file names, and its screenshot is a real picture with text on it. Skipped, with the
 * reason, where Chromium is not installed.
 */
class ListingInChromiumTest {

    static ServerFixture fx;
    static Path chromium;

    @BeforeAll
    static void start() throws IOException {
        chromium = findChromium().orElse(null);
        assumeTrue(chromium != null, "headless Chromium is not installed (apt-get install -y chromium)");
        fx = new ServerFixture();
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    static Optional<Path> findChromium() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Runs Chromium headless on {@code url} with a fresh profile; returns what it printed on stdout. */
    static String chromium(String url, String... extra) throws Exception {
        Path profile = Files.createTempDirectory("fileflux-chromium");
        try {
            List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile));
            cmd.addAll(List.of(extra));
            cmd.add(url);
            Path log = profile.resolve("stderr.log");
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("chromium did not finish: " + String.join(" ", cmd));
            }
            assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(log));
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Test
    void theListingShowsTheFileNamesInABrowser() throws Exception {
        String dom = chromium(fx.url("/"), "--dump-dom");
        for (String name : List.of("big.bin", "small.txt", "hello world.md", "sub dir/")) {
            assertTrue(dom.contains(">" + name + "</a>"), name + " missing from the rendered DOM:\n" + dom);
        }
        assertTrue(dom.contains("<title>Index of /</title>"), dom);

        Path png = Files.createTempFile("fileflux-listing", ".png");
        try {
            chromium(fx.url("/"), "--screenshot=" + png, "--window-size=800,600", "--hide-scrollbars");
            assertTrue(Files.size(png) > 1000, "a non-empty screenshot");
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(800, image.getWidth());
            // the page is white with dark text: a real rendering has many dark pixels, in many rows
            int darkRows = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int rgb = image.getRGB(x, y);
                    int lum = ((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff);
                    if (lum < 200) {
                        darkRows++;
                        break;
                    }
                }
            }
            assertTrue(darkRows > 40, "text rendered on " + darkRows + " rows of the screenshot");
        } finally {
            Files.deleteIfExists(png);
        }
    }
}
