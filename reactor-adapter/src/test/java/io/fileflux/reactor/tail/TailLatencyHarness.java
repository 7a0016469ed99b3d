package io.fileflux.reactor.tail;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.Disposable;

/**
 * A measurement, not a test: append-to-onNext latency of a followed file, with notifications and
 * polling only. Each appended line carries {@code System.nanoTime()} at the write; the subscriber
 * records the difference on arrival.
 *
 * <pre>
 * java -cp ... io.fileflux.reactor.tail.TailLatencyHarness [appends] [engine] [--watch-only]
 * </pre>
 */
public final class TailLatencyHarness {

    private TailLatencyHarness() {
    }

    public static void main(String[] args) throws Exception {
        int appends = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        String engine = args.length > 1 ? args[1] : null;
        boolean watchOnly = args.length > 2 && args[2].equals("--watch-only");
        for (boolean watch : watchOnly ? new boolean[] {true} : new boolean[] {true, false}) {
            long[] lat = run(appends, watch, engine);
            Arrays.sort(lat);
            System.out.printf("%-26s appends=%d median=%.3f ms p99=%.3f ms max=%.3f ms%n",
                    watch ? "notifications (+200ms poll)" : "polling only (200 ms)", appends,
                    lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, lat[lat.length - 1] / 1e6);
        }
    }

    static long[] run(int appends, boolean watch, String engine) throws Exception {
        Path dir = Files.createTempDirectory("fileflux-latency");
        Path log = dir.resolve("app.log");
        Files.createFile(log);
        long[] lat = new long[appends];
        CountDownLatch done = new CountDownLatch(appends);
        CountDownLatch first = new CountDownLatch(1);
        TailOptions opts = TailOptions.defaults().watch(watch).startAt(StartAt.beginning());
        if (engine != null) {
            opts = opts.engine(engine);
        }
        int[] n = {0};
        Disposable d = FileFlux.tailLines(log, opts, LineOptions.defaults()).subscribe(line -> {
            long now = System.nanoTime();
            String t = line.text();
            if (t.startsWith("warmup")) {
                first.countDown();
                return;
            }
            lat[n[0]++] = now - Long.parseLong(t.substring(0, t.indexOf(' ')));
            done.countDown();
        });
        try (FileOutputStream out = new FileOutputStream(log.toFile(), true)) {
            out.write("warmup\n".getBytes(StandardCharsets.UTF_8));
            first.await();
            for (int i = 0; i < appends; i++) {
                // spaced appends, so the tail is waiting at end of file each time
                Thread.sleep(ThreadLocalRandom.current().nextInt(2, 12));
                out.write((System.nanoTime() + " append " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        done.await();
        d.dispose();
        Thread.sleep(Duration.ofMillis(100).toMillis());
        return lat;
    }
}
