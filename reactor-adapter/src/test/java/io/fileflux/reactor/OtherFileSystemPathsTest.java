package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.TailOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * A path of another file system (here a zip file system) is refused at assembly by every entry point
 * and by every engine, and nothing is read from or written to the host path of the same name.
 */
class OtherFileSystemPathsTest {

    @TempDir
    Path dir;

    @Test
    void everyEntryPointRefusesAZipPathAndTouchesNothingOnTheHost() throws Exception {
        String name = "/fileflux-" + UUID.randomUUID() + ".txt";
        Path zip = dir.resolve("a.zip");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), Map.of("create", "true"))) {
            Path inZip = fs.getPath(name);
            Files.writeString(inZip, "inside the zip\n");
            Path local = dir.resolve("local.txt");
            Files.writeString(local, "local\n");
            assertThrows(ProviderMismatchException.class, () -> FileFlux.read(inZip));
            assertThrows(ProviderMismatchException.class, () -> FileFlux.readChunks(inZip, ReadOptions.defaults()));
            assertThrows(ProviderMismatchException.class,
                    () -> FileFlux.write(Flux.just(ByteBuffer.wrap(new byte[] {1})), inZip));
            assertThrows(ProviderMismatchException.class, () -> FileFlux.copy(inZip, local, WriteOptions.defaults()));
            assertThrows(ProviderMismatchException.class, () -> FileFlux.copy(local, inZip, WriteOptions.defaults()));
            assertThrows(ProviderMismatchException.class,
                    () -> FileFlux.usingFile(inZip, ReadOptions.defaults(), f -> f.read(0, 1)));
            assertThrows(ProviderMismatchException.class, () -> FileFlux.tail(inZip, TailOptions.defaults()));
            assertThrows(ProviderMismatchException.class,
                    () -> FileFlux.tailLines(inZip, TailOptions.defaults(), LineOptions.defaults()));
            assertThrows(ProviderMismatchException.class, () -> FileFlux.lines(inZip));
            assertThrows(ProviderMismatchException.class, () -> FileFlux.tail(inZip, TailOptions.defaults()));
            for (String engineName : TestEngines.available()) {
                try (FileEngine engine = Engines.create(engineName)) {
                    assertThrows(ProviderMismatchException.class, () -> engine.open(inZip));
                    assertThrows(ProviderMismatchException.class, () -> engine.open(inZip,
                            Set.of(java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.CREATE)));
                }
            }
            assertFalse(Files.exists(Path.of(name)), "a host file was created under the zip entry's name");
        }
    }
}
