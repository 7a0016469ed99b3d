package io.fileflux.bench;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.lines.LineOptions;
import io.fileflux.reactor.tail.StartAt;
import io.fileflux.reactor.tail.TailOptions;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.io.input.Tailer;
import org.apache.commons.io.input.TailerListenerAdapter;
import reactor.core.Disposable;

/**
 * Tail latency: lines appended to a followed file, each carrying {@code System.nanoTime()} at the write,
 * spaced 2–12 ms apart so that the tailer waits at end of file each time; the latency is the time from
 * the write to the line's arrival in the subscriber ({@code onNext}) or listener ({@code handle}).
 * Contenders: Fileflux {@code tailLines} with file-system notifications and with polling only, and
 * Commons IO {@code Tailer} (which polls) at 200 ms (Fileflux's poll interval) and 10 ms.
 */
final class TailBench {

    /**
     * @param contender label
     * @param p50ms     median latency, milliseconds
     * @param p99ms     99th percentile, milliseconds
     * @param maxMs     worst, milliseconds
     * @param note      error text, else empty
     */
    record Row(String contender, double p50ms, double p99ms, double maxMs, String note) {
    }

    /** Starts following {@code file}, delivering each line's text; returns what stops it. */
    private interface Follower {
        AutoCloseable follow(Path file, Consumer<String> onLine) throws Exception;
    }

    private record Contender(String name, Follower follower) {
    }

    private final Path dir;
    private final int appends;
    private final Progress progress;

    TailBench(Path dir, int appends, Progress progress) {
        this.dir = dir;
        this.appends = appends;
        this.progress = progress;
    }

    List<Row> run() throws Exception {
        List<Contender> contenders = List.of(
                new Contender("Fileflux tailLines, notifications", fileflux(true)),
                new Contender("Fileflux tailLines, polling 200 ms", fileflux(false)),
                new Contender("Commons IO Tailer, 200 ms", tailer(Duration.ofMillis(200))),
                new Contender("Commons IO Tailer, 10 ms", tailer(Duration.ofMillis(10))));
        progress.phase("tail latency: " + appends + " appends spaced 2-12 ms", contenders.size());
        List<Row> rows = new ArrayList<>();
        for (Contender c : contenders) {
            progress.step(c.name());
            try {
                long[] lat = measure(c.follower());
                Arrays.sort(lat);
                rows.add(new Row(c.name(), Stats.percentileSorted(lat, lat.length, 50) / 1e6,
                        Stats.percentileSorted(lat, lat.length, 99) / 1e6, lat[lat.length - 1] / 1e6, ""));
            } catch (Exception e) {
                rows.add(new Row(c.name(), Double.NaN, Double.NaN, Double.NaN, String.valueOf(e)));
            }
        }
        progress.finishLine();
        return rows;
    }

    private static Follower fileflux(boolean watch) {
        return (file, onLine) -> {
            TailOptions opts = TailOptions.defaults().watch(watch).startAt(StartAt.beginning());
            Disposable d = FileFlux.tailLines(file, opts, LineOptions.defaults()).subscribe(l -> onLine.accept(l.text()));
            return d::dispose;
        };
    }

    private static Follower tailer(Duration delay) {
        return (file, onLine) -> {
            Tailer t = Tailer.builder().setPath(file).setDelayDuration(delay).setTailFromEnd(false)
                    .setStartThread(true).setTailerListener(new TailerListenerAdapter() {
                        @Override
                        public void handle(String line) {
                            onLine.accept(line);
                        }
                    }).get();
            return t::close;
        };
    }

    private long[] measure(Follower follower) throws Exception {
        Files.createDirectories(dir);
        Path log = Files.createTempFile(dir, "tail", ".log");
        long[] lat = new long[appends];
        int[] n = {0};
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(appends);
        SplittableRandom random = new SplittableRandom(7);
        AutoCloseable stop = follower.follow(log, text -> {
            long now = System.nanoTime();
            if (text.startsWith("warmup")) {
                first.countDown();
            } else if (n[0] < lat.length) {
                lat[n[0]++] = now - Long.parseLong(text.substring(0, text.indexOf(' ')));
                done.countDown();
            }
        });
        try (FileOutputStream out = new FileOutputStream(log.toFile(), true)) {
            out.write("warmup\n".getBytes(StandardCharsets.UTF_8));
            if (!first.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the first line never arrived");
            }
            for (int i = 0; i < appends; i++) {
                Thread.sleep(random.nextInt(2, 12));
                out.write((System.nanoTime() + " append " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + n[0] + " of " + appends + " lines arrived");
            }
        } finally {
            stop.close();
            Files.deleteIfExists(log);
        }
        return lat;
    }
}
