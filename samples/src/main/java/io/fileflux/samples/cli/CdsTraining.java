package io.fileflux.samples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run of the {@code ./fileflux} launcher's class-data sharing archive: runs {@code info},
 * {@code cat}, {@code cp} and {@code tail} once each, in this JVM, on a small temporary file, so that
 * the classes they load are what the JVM archives at exit ({@code -XX:ArchiveClassesAtExit}). Later runs
 * of any of those commands map the archive instead of loading and verifying those classes again.
 *
 * <p>Prints what the commands print (the launcher sends it to {@code /dev/null}); removes its temporary
 * files; exit status 0 only if every command succeeded.
 */
public final class CdsTraining {

    private CdsTraining() {
    }

    /** Runs the training; {@code args} are ignored. */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("fileflux-cds-");
        int failed = 0;
        try {
            Path file = dir.resolve("training.txt");
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                text.append("line ").append(i).append('\n');
            }
            Files.writeString(file, text);
            failed += FilefluxCli.run("info") == 0 ? 0 : 1;
            failed += FilefluxCli.run("cat", file.toString()) == 0 ? 0 : 1;
            failed += FilefluxCli.run("cp", "--no-progress", file.toString(), dir.resolve("copy.txt").toString())
                    == 0 ? 0 : 1;
            failed += FilefluxCli.run("tail", "-n", "3", file.toString()) == 0 ? 0 : 1;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
        System.out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }
}
