package io.fileflux.reactor.tail.many;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.tail.TailOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * 1,000 files followed at once cost one descriptor each plus a constant, and a bounded number of
 * threads; every file is followed (a line appended to each arrives); cancelling gives every descriptor
 * back. Linux only (counts {@code /proc/self/fd}).
 */
class TailAllThousandFilesTest {

    static final int FILES = 1_000;

    @TempDir
    Path dir;

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    @Test
    void thousandFilesBoundedThreadsAndDescriptors() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc/self/fd to count descriptors");
        for (int i = 0; i < FILES; i++) {
            Files.writeString(dir.resolve("f" + i + ".log"), "f" + i + " 1\n");
        }
        long fdsBefore = openFds();
        int threadsBefore = threads();
        Set<String> got = ConcurrentHashMap.newKeySet();
        Disposable sub = FileFlux.tailAll(TailAllOptions.of(dir + "/*.log")
                        .fileOptions(TailOptions.defaults().watch(false).pollInterval(Duration.ofMillis(100))))
                .subscribe(l -> got.add(l.text()));
        long fdsFollowing;
        int threadsFollowing;
        String threadNames;
        try {
            TailAllTest.await("the first line of every file", () -> got.size() == FILES);
            for (int i = 0; i < FILES; i++) {
                Files.writeString(dir.resolve("f" + i + ".log"), "f" + i + " 2\n", StandardOpenOption.APPEND);
            }
            TailAllTest.await("the appended line of every file", () -> got.size() == 2 * FILES);
            fdsFollowing = openFds();
            threadsFollowing = threads();
            threadNames = Thread.getAllStackTraces().keySet().stream()
                    .collect(java.util.stream.Collectors.groupingBy(t -> t.getName().replaceAll("[0-9]+", "N"),
                            java.util.TreeMap::new, java.util.stream.Collectors.counting())).toString();
        } finally {
            sub.dispose();
        }
        long fds = fdsFollowing - fdsBefore;
        int threads = threadsFollowing - threadsBefore;
        System.out.printf("1,000 files followed: %d more descriptors, %d more threads (%d cores)%n", fds, threads,
                Runtime.getRuntime().availableProcessors());
        // one per file, plus the watcher's inotify descriptor and a few the engine and JDK open on first use
        assertTrue(fds <= FILES + 32, fds + " more descriptors for " + FILES + " files");
        // the bounded-elastic scheduler and the delivery pool (each at most 10 per core), the watcher and the
        // JDK's watch-service poller, the engine's completion thread, a few JDK ones started on first use
        int bound = 2 * reactor.core.scheduler.Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE + 16;
        assertTrue(threads <= bound, threads + " more threads for " + FILES + " files (bound " + bound + "): "
                + threadNames);
        TailAllTest.await("every descriptor back", () -> {
            try {
                return openFds() <= fdsBefore + 32;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(2 * FILES, got.size());
    }
}
