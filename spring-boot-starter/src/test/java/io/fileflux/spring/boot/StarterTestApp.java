package io.fileflux.spring.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourceRegion;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * An ordinary Spring Boot WebFlux application that knows nothing of Fileflux: static resources from a directory
 * ({@code spring.web.resources.static-locations}) and a controller returning a {@link Resource}. The tests only
 * add the starter (it is on the test class path).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class StarterTestApp {

    /** The static resources and the controller's files: {@code big.bin} (3 MiB of random bytes), {@code ten.txt}. */
    static final Path DIR;
    static final byte[] BIG;

    static {
        try {
            DIR = Files.createTempDirectory("fileflux-starter").toRealPath();
            BIG = new byte[3 << 20];
            new Random(13).nextBytes(BIG);
            Files.write(DIR.resolve("big.bin"), BIG);
            Files.writeString(DIR.resolve("ten.txt"), "0123456789");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Points static resources at {@link #DIR}. */
    static void staticLocations(org.springframework.test.context.DynamicPropertyRegistry registry) {
        registry.add("spring.web.resources.static-locations", () -> "file:" + DIR + "/");
    }

    @RestController
    static class Downloads {

        /** Bytes 100..199 of a file, as a region the controller chose. */
        @GetMapping("/region/{name}")
        ResourceRegion region(@PathVariable("name") String name) {
            return new ResourceRegion(new FileSystemResource(DIR.resolve(name.replace("/", ""))), 100, 100);
        }

        @GetMapping("/download/{name}")
        Resource download(@PathVariable("name") String name) {
            return new FileSystemResource(DIR.resolve(name.replace("/", "")));
        }
    }
}
