package io.fileflux.samples.server.site;

import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * An ordinary Spring Boot WebFlux application with no Fileflux code in it: static resources from
 * {@code spring.web.resources.static-locations} and a controller returning a {@link Resource}. With
 * {@code fileflux-spring-boot-starter} on the class path, both are served through Fileflux (zero-copy where the
 * connection allows, Fileflux under TLS and for several ranges); {@code --fileflux.enabled=false} gives plain
 * Spring, for comparison ({@code benchmarks/webflux/bench.sh} runs it both ways).
 *
 * <pre>
 * java -cp 'samples/target/fileflux-samples-VERSION.jar:samples/target/lib/*' \
 *     io.fileflux.samples.server.site.StaticSiteApplication \
 *     --spring.web.resources.static-locations=file:/srv/www/ --site.downloads=/srv/www --server.port=8080
 * </pre>
 */
@SpringBootApplication
public class StaticSiteApplication {

    /** Starts the application with Spring Boot's command-line properties. */
    public static void main(String[] args) {
        SpringApplication.run(StaticSiteApplication.class, args);
    }

    /** {@code GET /download/NAME}: a file of {@code site.downloads}, returned as a {@link Resource}. */
    @RestController
    static class Downloads {

        private final Path dir;

        Downloads(@Value("${site.downloads:.}") Path dir) {
            this.dir = dir;
        }

        @GetMapping("/download/{name}")
        Resource download(@PathVariable("name") String name) {
            // one path segment: the name cannot climb out of the directory
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")) {
                return new FileSystemResource(dir.resolve("does-not-exist"));
            }
            return new FileSystemResource(dir.resolve(name));
        }
    }
}
