package io.fileflux.reactor.tail.many;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tail with its checkpoints in a {@link io.fileflux.reactor.tail.CheckpointRegistry}, in a child JVM
 * killed with SIGKILL at random points, restarted 10 times, while two files are written and rotated:
 * every line written is printed (none lost), each run prints each file's lines in order (a file renamed
 * away and the new one at its name are two files, read side by side), and a line is
 * printed twice only from the unacknowledged window (at most one line per file per kill: printed, not
 * yet acknowledged). Waits are bounded only to fail instead of hanging.
 */
class KillNineTest {

    static final int KILLS = 10;
    static final long WAIT_NANOS = 60_000_000_000L;

    @TempDir
    Path dir;

    /** Writes "a 1", "a 2"... and "b 1"... alternately, renaming a file away and creating it anew on request. */
    static final class Writer extends Thread {
        final Path dir;
        final Map<String, AtomicLong> written = new HashMap<>();
        final AtomicInteger rotations = new AtomicInteger();
        /** Per file, the last line written before its latest rotation (0: never rotated). */
        final Map<String, AtomicLong> rotatedAfter = new HashMap<>();
        /** Per file, the last line written before each of its rotations, in order. */
        final Map<String, List<Long>> boundaries = new HashMap<>();
        volatile int rotateRequests;
        volatile boolean stop;
        volatile Throwable failure;

        Writer(Path dir) {
            super("kill-nine-writer");
            this.dir = dir;
            written.put("a", new AtomicLong());
            written.put("b", new AtomicLong());
            rotatedAfter.put("a", new AtomicLong());
            rotatedAfter.put("b", new AtomicLong());
            boundaries.put("a", new CopyOnWriteArrayList<>());
            boundaries.put("b", new CopyOnWriteArrayList<>());
        }

        /** Which file of {@code f} line {@code n} was written to: how many rotations came before it. */
        int generation(String f, long n) {
            int g = 0;
            for (long b : boundaries.get(f)) {
                if (n > b) {
                    g++;
                }
            }
            return g;
        }

        static String file(int rotation) {
            return rotation % 2 == 0 ? "a" : "b";
        }

        @Override
        public void run() {
            try {
                Map<String, FileOutputStream> out = new HashMap<>();
                for (String f : written.keySet()) {
                    out.put(f, new FileOutputStream(dir.resolve(f + ".log").toFile(), true));
                }
                while (!stop) {
                    if (rotations.get() < rotateRequests) {
                        String f = file(rotations.get());
                        rotatedAfter.get(f).set(written.get(f).get());
                        boundaries.get(f).add(written.get(f).get());
                        out.get(f).close(); // rename and reopen between two lines: nothing written to the old file after
                        Files.move(dir.resolve(f + ".log"), dir.resolve(f + ".log." + rotations.get()));
                        out.put(f, new FileOutputStream(dir.resolve(f + ".log").toFile(), true));
                        rotations.incrementAndGet();
                    }
                    for (String f : written.keySet()) {
                        long n = written.get(f).get() + 1;
                        out.get(f).write((f + " " + n + "\n").getBytes(StandardCharsets.US_ASCII));
                        written.get(f).set(n);
                    }
                    // pacing only: about 200 lines/s, which a child saving its registry (with fsync) on
                    // every line keeps up with
                    LockSupport.parkNanos(10_000_000);
                }
                for (FileOutputStream o : out.values()) {
                    o.close();
                }
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
        }
    }

    /** A child JVM and the lines it printed, read on a daemon thread. */
    static final class Child {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        Child(Path dir, Path registry) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            if (Runtime.version().feature() >= 22) {
                cmd.add("--enable-native-access=ALL-UNNAMED");
            }
            // a quick start-up: eleven JVMs start in this test
            cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), KillNineChild.class.getName(), dir + "/*.log",
                    registry.toString()));
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.US_ASCII))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // killed
                }
            }, "kill-nine-child-reader");
            reader.setDaemon(true);
            reader.start();
        }

        void awaitLines(int n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (lines.size() < n) {
                assertTrue(System.nanoTime() < deadline, "child printed only " + lines.size() + " of " + n + " lines");
                assertTrue(process.isAlive() || lines.size() >= n, () -> "child exited: " + process.exitValue());
                Thread.sleep(2);
            }
        }

        /**
         * SIGKILL, then the lines it printed (complete ones only), once the reader has read to the pipe's end:
         * what the child printed (and acknowledged) just before it died may still be in the pipe.
         */
        List<String> kill() throws InterruptedException {
            process.destroyForcibly().waitFor();
            reader.join(WAIT_NANOS / 1_000_000);
            assertFalse(reader.isAlive(), "the child's output never ended");
            return lines;
        }
    }

    /** The ranges of 1..total missing from {@code printed}, for the failure message. */
    static String missing(TreeMap<Long, Integer> printed, long total) {
        StringBuilder b = new StringBuilder();
        long from = -1;
        for (long n = 1; n <= total + 1; n++) {
            boolean gap = n <= total && !printed.containsKey(n);
            if (gap && from < 0) {
                from = n;
            } else if (!gap && from >= 0) {
                b.append(b.length() == 0 ? "" : ", ").append(from).append("..").append(n - 1);
                from = -1;
            }
        }
        return b.toString();
    }

    @Test
    @Timeout(300)
    void killedTenTimesWhileFilesRotateLosesNothingAndRepeatsOnlyTheUnacknowledged() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "SIGKILL of a child JVM: Linux only here");
        Path registry = dir.resolve("registry");
        Writer writer = new Writer(dir);
        Files.createFile(dir.resolve("a.log"));
        Files.createFile(dir.resolve("b.log"));
        writer.start();
        Random random = new Random(9);
        List<List<String>> runs = new ArrayList<>();
        try {
            for (int k = 0; k <= KILLS; k++) {
                Child child = new Child(dir, registry);
                if (k == KILLS) { // the last run: writing stops, and it must catch up with every line
                    writer.stop = true;
                    writer.join(60_000);
                    long a = writer.written.get("a").get();
                    long b = writer.written.get("b").get();
                    // every line printed by some run: the rotated files' rests are read side by side with the
                    // current files, so their last lines alone do not say that everything was read
                    Set<String> missing = new HashSet<>();
                    for (long i = 1; i <= a; i++) {
                        missing.add("a " + i);
                    }
                    for (long i = 1; i <= b; i++) {
                        missing.add("b " + i);
                    }
                    for (List<String> run : runs) {
                        run.forEach(missing::remove);
                    }
                    long deadline = System.nanoTime() + WAIT_NANOS;
                    int seen = 0; // lines of this run looked at
                    while (!missing.isEmpty()) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("the last run printed nothing new for 60 s, " + missing.size()
                                    + " lines missing: " + new java.util.TreeSet<>(missing) + " (alive "
                                    + child.process.isAlive() + "); rotated after " + writer.boundaries);
                        }
                        List<String> now = child.lines;
                        if (seen < now.size()) {
                            deadline = System.nanoTime() + WAIT_NANOS; // bounded while it makes progress
                        }
                        for (; seen < now.size(); seen++) {
                            missing.remove(now.get(seen));
                        }
                        Thread.sleep(5);
                    }
                    runs.add(new ArrayList<>(child.kill()));
                    break;
                }
                child.awaitLines(1 + random.nextInt(100));
                // a rotation while the child runs (a or b, in turn), once this run has read past the file's
                // previous rotation: a restart finds at most one generation of a file rotated away unread
                // (resuming across several is the single-file tail's own test)
                String f = Writer.file(writer.rotateRequests);
                long after = writer.rotatedAfter.get(f).get();
                long deadline = System.nanoTime() + WAIT_NANOS;
                while (child.lines.stream().noneMatch(l -> l.startsWith(f + " ")
                        && Long.parseLong(l.substring(2)) > after)) {
                    assertTrue(System.nanoTime() < deadline, "run " + k + " never read " + f + " past " + after);
                    Thread.sleep(5);
                }
                writer.rotateRequests++;
                child.awaitLines(child.lines.size() + random.nextInt(200));
                runs.add(new ArrayList<>(child.kill())); // at a random point
            }
        } finally {
            writer.stop = true;
            writer.join(60_000);
        }
        assertTrue(writer.failure == null, String.valueOf(writer.failure));
        assertTrue(writer.rotations.get() >= KILLS, "rotated " + writer.rotations.get() + " times");
        Map<String, TreeMap<Long, Integer>> printed = new HashMap<>();
        for (List<String> run : runs) {
            // in order within each file read (a rotated file and the new one are read side by side)
            Map<String, Long> last = new HashMap<>();
            for (String line : run) {
                String[] f = line.split(" ");
                long n = Long.parseLong(f[1]);
                String file = f[0] + "#" + writer.generation(f[0], n);
                Long prev = last.put(file, n);
                assertTrue(prev == null || n == prev + 1, "in one run, " + file + " " + n + " after " + prev);
                printed.computeIfAbsent(f[0], x -> new TreeMap<>()).merge(n, 1, Integer::sum);
            }
        }
        for (String f : List.of("a", "b")) {
            long total = writer.written.get(f).get();
            TreeMap<Long, Integer> p = printed.get(f);
            assertEquals(total, p.size(), () -> f + ": " + (total - p.size()) + " lines never printed: "
                    + missing(p, total) + "; rotated after " + writer.boundaries.get(f) + "; runs "
                    + runs.stream().map(r -> r.isEmpty() ? "-" : r.get(0) + ".." + r.get(r.size() - 1)).toList());
            assertEquals(total, p.lastKey());
            long repeats = p.values().stream().mapToLong(c -> c - 1).sum();
            System.out.printf("kill -9 x%d, %s: %d lines, %d printed twice (unacknowledged window)%n", KILLS, f,
                    total, repeats);
            assertTrue(repeats <= KILLS, f + ": " + repeats + " lines printed twice, more than one per kill");
        }
    }
}
