package io.fileflux.bench;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.WriteOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The copy section: {@code FileFlux.copy} (in process) against GNU {@code cp} (a whole process, as a user
 * runs it) and {@code Files.copy}, on a warm data file and on a sparse file twice its size (2 GiB for the
 * default 1 GiB; 1 MiB of data, at most, at 0 and in the middle). Seconds per copy (min–max over the rounds) and the target's allocated blocks.
 */
final class CopyBench {

    record Row(String file, String contender, double minSeconds, double maxSeconds, long targetBlocks,
               long sourceBlocks) {
    }

    private final Path dir;
    private final int warmups;
    private final int rounds;
    private final Progress progress;

    CopyBench(Path dir, int warmups, int rounds, Progress progress) {
        this.dir = dir;
        this.warmups = warmups;
        this.rounds = rounds;
        this.progress = progress;
    }

    List<Row> run(Path dataFile) throws Exception {
        long sparseSize = 2 * Files.size(dataFile);
        Path sparse = dir.resolve("fileflux-bench-sparse-" + Units.bytes(sparseSize).replace(" ", "") + ".bin");
        if (!Files.exists(sparse) || Files.size(sparse) != sparseSize) {
            int data = (int) Math.min(1 << 20, sparseSize / 4);
            try (FileChannel ch = FileChannel.open(sparse, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.allocate(data), 0);
                ch.write(ByteBuffer.allocate(data), sparseSize / 2);
                ch.truncate(sparseSize);
                ch.write(ByteBuffer.allocate(1), sparseSize - 1);
            }
        }
        TestFiles.warm(dataFile);
        List<Row> rows = new ArrayList<>();
        for (Path src : List.of(dataFile, sparse)) {
            Path dst = dir.resolve("fileflux-bench-copy.out");
            String[] names = {"FileFlux.copy", "GNU cp (whole process)", "Files.copy"};
            double[][] t = new double[names.length][rounds];
            long[] blocks = new long[names.length];
            for (int r = -warmups; r < rounds; r++) {
                for (int c = 0; c < names.length; c++) {
                    Files.deleteIfExists(dst);
                    progress.note("copy " + src.getFileName() + ": " + names[c] + (r < 0 ? " (warm-up)" : " round " + (r + 1)));
                    long start = System.nanoTime();
                    switch (c) {
                        case 0 -> FileFlux.copy(src, dst, WriteOptions.defaults()).block(Duration.ofMinutes(10));
                        case 1 -> exec("cp", src.toString(), dst.toString());
                        default -> Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                    }
                    double s = (System.nanoTime() - start) / 1e9;
                    if (r >= 0) {
                        t[c][r] = s;
                        blocks[c] = blocks(dst);
                    }
                }
            }
            Files.deleteIfExists(dst);
            String file = Units.bytes(Files.size(src)) + (src == sparse ? " sparse" : " warm");
            for (int c = 0; c < names.length; c++) {
                rows.add(new Row(file, names[c], Stats.min(t[c]), Stats.max(t[c]), blocks[c], blocks(src)));
            }
        }
        return rows;
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder("| file | contender | seconds (min–max) | target blocks (source) |\n"
                + "|---|---|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f–%.3f | %d (%d) |%n", r.file(), r.contender(),
                    r.minSeconds(), r.maxSeconds(), r.targetBlocks(), r.sourceBlocks()));
        }
        return sb.toString();
    }

    private static long blocks(Path p) throws IOException, InterruptedException {
        return Long.parseLong(exec("stat", "-c", "%b", p.toString()).trim());
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
