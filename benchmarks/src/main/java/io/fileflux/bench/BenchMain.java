package io.fileflux.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fileflux bench}: the end-to-end harness. Runs the sequential, random {@code O_DIRECT} and
 * slow-subscriber sections in one process, prints the tables, and writes {@code results.md} with PNG
 * charts into {@code --out}. Started by {@code ./fileflux bench} at the repository root.
 */
@Command(name = "fileflux bench", mixinStandardHelpOptions = true,
        description = {"Measures Fileflux against FileChannel, AsynchronousFileChannel, Spring",
                "DataBufferUtils, Vert.x AsyncFile, Flux.generate and fio, alternately in one",
                "process. Prints the tables; writes results.md and PNG charts into --out."})
public final class BenchMain implements Callable<Integer> {

    @Option(names = "--size", description = "size of the sequential-read file (default 1g, with --quick too)")
    String size;

    @Option(names = "--quick", description = "a short run: 1 warm-up + 3 rounds, 1 s random runs, a 512 MiB random-read file")
    boolean quick;

    @Option(names = "--file", description = "sequential-read file (created if missing or of another size; "
            + "default: <tmp>/fileflux-bench-<size>.bin)")
    Path file;

    @Option(names = "--random-file", description = "file for O_DIRECT random reads (default: next to --file)")
    Path randomFile;

    @Option(names = "--random-size", description = "size of the random-read file (default 2g, 512m with --quick)")
    String randomSize;

    @Option(names = "--chunks", split = ",", description = "chunk sizes (default 64k,1m)")
    List<String> chunks = new ArrayList<>(List.of("64k", "1m"));

    @Option(names = "--queue-depths", split = ",", description = "random-read queue depths (default 1,32)")
    List<Integer> queueDepths = new ArrayList<>(List.of(1, 32));

    @Option(names = "--warmup", description = "warm-up rounds, thrown away (default 2, 1 with --quick)")
    Integer warmup;

    @Option(names = "--rounds", description = "measured rounds (default 7, 3 with --quick)")
    Integer rounds;

    @Option(names = "--duration", description = "seconds per random-read run (default 5, 1 with --quick)")
    Double duration;

    @Option(names = "--only", description = "regex: run only the sequential contenders whose name matches "
            + "(the baseline always runs)")
    String only;

    /**
     * Runs {@code bench} with every sequential contender whose name {@code pattern} finds (null: all; the
     * baseline always), and closes them.
     */
    private static List<SequentialBench.Row> sequential(SequentialBench bench, String pattern, int[] chunkSizes)
            throws Exception {
        List<SequentialReader> readers = new ArrayList<>(SequentialReaders.all());
        if (pattern != null) {
            Pattern p = Pattern.compile(pattern);
            readers.removeIf(r -> !r.name().equals(SequentialReaders.BASELINE) && !p.matcher(r.name()).find());
        }
        try {
            return bench.run(readers, chunkSizes);
        } finally {
            for (SequentialReader r : readers) {
                r.close();
            }
        }
    }

    /** The cold section's contenders unless --only says otherwise: each engine's pooled readers and the defaults. */
    static final String COLD_CONTENDERS = "^(AsynchronousFileChannel x16|Fileflux \\S+ x(4|16) pooled|Fileflux defaults.*)$";

    @Option(names = "--sections", split = ",", description = "seq, cold, write, random, memory, tail, copy (default all)")
    List<String> sections = new ArrayList<>(List.of("seq", "cold", "write", "random", "memory", "tail", "copy"));

    @Option(names = "--write-size", description = "bytes each write contender writes (default 256m, with --quick too)")
    String writeSize;

    @Option(names = "--appends", description = "lines appended in the tail section (default 500, 100 with --quick)")
    Integer appends;

    @Option(names = "--memory-size", description = "file size for the slow-subscriber section (default 64m)")
    String memorySize = "64m";

    @Option(names = "--no-fio", description = "do not run fio")
    boolean noFio;

    @Option(names = "--no-charts", description = "do not draw the PNG charts")
    boolean noCharts;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Option(names = "--out", description = "directory for results.md and images/ (default bench-results)")
    Path out = Path.of("bench-results");

    private final PrintStream stdout;
    private final PrintStream stderr;

    BenchMain(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the harness and returns the exit code (for the smoke test). */
    public static int run(PrintStream stdout, PrintStream stderr, String... args) {
        ProcessArgs.set(args);
        CommandLine cli = new CommandLine(new BenchMain(stdout, stderr));
        cli.setOut(new java.io.PrintWriter(stdout, true));
        cli.setErr(new java.io.PrintWriter(stderr, true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("fileflux bench: " + e);
            e.printStackTrace(stderr);
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        // --quick reads and writes as much as a full run: with a 256 MiB file, a quick run's ratios differed from
        // a full run's by more than 15% in 15-22 of 42 read rows (shallow pipelines and direct buffers most), with
        // 1 GiB in 2 of 42 (the same machine, minutes apart); fewer rounds is what makes it quick
        long seqSize = Units.parseBytes(size != null ? size : "1g");
        long randSize = Units.parseBytes(randomSize != null ? randomSize : quick ? "512m" : "2g");
        int warmups = warmup != null ? warmup : quick ? 1 : 2;
        int measured = rounds != null ? rounds : quick ? 3 : 7;
        double seconds = duration != null ? duration : quick ? 1 : 5;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path seqFile = file != null ? file : tmp.resolve("fileflux-bench-" + Units.bytes(seqSize).replace(" ", "") + ".bin");
        Path randFile = randomFile != null ? randomFile
                : seqFile.resolveSibling("fileflux-bench-random-" + Units.bytes(randSize).replace(" ", "") + ".bin");
        int[] chunkSizes = chunks.stream().mapToInt(c -> Math.toIntExact(Units.parseBytes(c))).toArray();
        Progress progress = new Progress(stderr, !noProgress);

        StringBuilder md = new StringBuilder();
        md.append("# Fileflux benchmark results\n\n");
        md.append("Command: `fileflux bench ").append(String.join(" ", commandLine())).append("`\n\n");
        md.append(Report.machine(seqFile.toAbsolutePath().getParent()));
        md.append("- Load average at start: ").append(Report.loadAverage()).append("{{LOAD_END}}\n\n");

        List<SequentialBench.Row> seqRows = List.of();
        List<RandomBench.Row> randRows = List.of();
        if (sections.contains("seq")) {
            TestFiles.ensure(seqFile, seqSize, progress);
            progress.note("warming " + seqFile + " into the page cache");
            TestFiles.warm(seqFile);
            seqRows = sequential(new SequentialBench(seqFile, warmups, measured, progress), only, chunkSizes);
            String table = Report.sequential(seqRows);
            stdout.println();
            stdout.println("Sequential read, warm " + Units.bytes(seqSize) + ", every byte folded; median of "
                    + measured + " rounds after " + warmups + " warm-up");
            stdout.print(table);
            md.append("## Sequential read of a warm ").append(Units.bytes(seqSize)).append(" file\n\n")
                    .append(measured).append(" rounds after ").append(warmups)
                    .append(" warm-up, contenders alternating in each round. Ratio = median of per-round ratios.\n\n")
                    .append(table).append('\n');
        }
        if (sections.contains("cold")) {
            if (!PageCache.available()) {
                stdout.println("\nCold sequential read: skipped (dropping a file from the page cache needs Linux)");
            } else {
                TestFiles.ensure(seqFile, seqSize, progress);
                List<SequentialBench.Row> coldRows = sequential(
                        new SequentialBench(seqFile, warmups, measured, progress, true),
                        only != null ? only : COLD_CONTENDERS, chunkSizes);
                TestFiles.warm(seqFile); // the later sections read it warm
                String table = Report.sequential(coldRows);
                stdout.println();
                stdout.println("Sequential read, cold " + Units.bytes(seqSize) + " (dropped from the page cache before"
                        + " every read), every byte folded; median of " + measured + " rounds after " + warmups + " warm-up");
                stdout.print(table);
                md.append("## Sequential read of a cold ").append(Units.bytes(seqSize)).append(" file\n\n")
                        .append("The file is dropped from the page cache (`posix_fadvise(DONTNEED)`) before every read, ")
                        .append("outside the timing. ").append(measured).append(" rounds after ").append(warmups)
                        .append(" warm-up, contenders alternating. Ratio = median of per-round ratios.\n\n")
                        .append(table).append('\n');
            }
        }
        if (sections.contains("write")) {
            long wSize = Units.parseBytes(writeSize != null ? writeSize : "256m");
            List<WriteBench.Writer> writers = new ArrayList<>(WriteBench.all());
            if (only != null) {
                Pattern p = Pattern.compile(only);
                writers.removeIf(w -> !w.name().startsWith(WriteBench.BASELINE) && !p.matcher(w.name()).find());
            }
            List<SequentialBench.Row> writeRows;
            try {
                writeRows = new WriteBench(seqFile.toAbsolutePath().getParent().resolve("fileflux-bench-write"), wSize,
                        warmups, measured, progress).run(writers, chunkSizes);
            } finally {
                for (WriteBench.Writer w : writers) {
                    w.close();
                }
            }
            String table = Report.write(writeRows);
            stdout.println();
            stdout.println("Sequential write of a new " + Units.bytes(wSize) + " file; median of " + measured
                    + " rounds after " + warmups + " warm-up");
            stdout.print(table);
            md.append("## Sequential write of a new ").append(Units.bytes(wSize)).append(" file\n\n")
                    .append(measured).append(" rounds after ").append(warmups).append(" warm-up, contenders alternating;"
                            + " each ratio is to the FileChannel.write loop with the same sync, in the same round.\n\n")
                    .append(table).append('\n');
        }
        if (sections.contains("random")) {
            TestFiles.ensure(randFile, randSize, progress);
            randRows = new RandomBench(randFile, Math.max(1, measured / 2), seconds, !noFio, progress)
                    .run(queueDepths.stream().mapToInt(Integer::intValue).toArray());
            String table = Report.random(randRows);
            stdout.println();
            stdout.println("O_DIRECT random 4 KiB reads of " + Units.bytes(randSize) + ", " + seconds + " s per run");
            stdout.print(table);
            md.append("## O_DIRECT random 4 KiB reads of a ").append(Units.bytes(randSize)).append(" file\n\n")
                    .append(table).append('\n');
        }
        if (sections.contains("memory")) {
            long memSize = Units.parseBytes(memorySize);
            Path memFile = seqFile.resolveSibling("fileflux-bench-memory-" + Units.bytes(memSize).replace(" ", "") + ".bin");
            TestFiles.ensure(memFile, memSize, progress);
            List<MemoryBench.Row> memRows = new MemoryBench(memFile, 500, progress).run();
            String table = Report.memory(memRows);
            stdout.println();
            stdout.println("Peak memory reading " + Units.bytes(memSize) + " with a slow subscriber");
            stdout.print(table);
            md.append("## Peak memory with a slow subscriber (").append(Units.bytes(memSize)).append(")\n\n")
                    .append(table).append('\n');
        }
        if (sections.contains("tail")) {
            List<TailBench.Row> tailRows = new TailBench(seqFile.toAbsolutePath().getParent().resolve("fileflux-bench-tail"),
                    appends != null ? appends : quick ? 100 : 500, progress).run();
            String table = Report.tail(tailRows);
            stdout.println();
            stdout.println("Tail latency, append to onNext");
            stdout.print(table);
            md.append("## Tail latency (append to onNext)\n\n").append(table).append('\n');
        }
        if (sections.contains("copy")) {
            TestFiles.ensure(seqFile, seqSize, progress);
            List<CopyBench.Row> copyRows = new CopyBench(seqFile.toAbsolutePath().getParent(), Math.min(1, warmups),
                    Math.max(3, measured / 2), progress).run(seqFile);
            String table = CopyBench.table(copyRows);
            stdout.println();
            stdout.println("Copy: FileFlux.copy vs GNU cp (whole process) vs Files.copy");
            stdout.print(table);
            md.append("## Copy (warm data file, 2 GiB sparse file)\n\n").append(table).append('\n');
        }
        Files.createDirectories(out);
        List<String> images = List.of();
        if (!noCharts) {
            try {
                images = Charts.write(out.resolve("images"), seqRows, randRows);
            } catch (Exception | LinkageError | InternalError e) {
                // headless JDKs without fonts (fontconfig) cannot draw text: the tables still stand
                md.append("Charts skipped: ").append(e).append("\n\n");
                progress.note("charts skipped: " + e);
            }
        }
        for (String img : images) {
            md.append("![").append(img).append("](images/").append(img).append(")\n\n");
        }
        Files.writeString(out.resolve("results.md"), md.toString().replace("{{LOAD_END}}",
                "; at end: " + Report.loadAverage()));
        Files.writeString(out.resolve("sequential.csv"), Report.sequentialCsv(seqRows));
        Files.writeString(out.resolve("random.csv"), Report.randomCsv(randRows));
        stdout.println();
        stdout.println("wrote " + out.resolve("results.md") + (images.isEmpty() ? "" : " and " + images.size()
                + " charts in " + out.resolve("images")));
        return 0;
    }

    private List<String> commandLine() {
        String[] args = ProcessArgs.get();
        return args == null ? List.of() : Arrays.asList(args);
    }

    /** The arguments of the current run, kept for the report header. */
    static final class ProcessArgs {
        private static String[] args;

        private ProcessArgs() {
        }

        static String[] get() {
            return args;
        }

        static void set(String[] a) {
            args = a.clone();
        }
    }
}
