package io.fileflux.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Renders a run as Markdown: machine, command, tables, charts. */
final class Report {

    private Report() {
    }

    static String machine(Path dataFile) {
        StringBuilder sb = new StringBuilder();
        sb.append("- CPU: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores available to the JVM\n");
        long mem = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        sb.append("- Memory: ").append(mem >> 30).append(" GiB; OS: ").append(System.getProperty("os.name"))
                .append(' ').append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch"))
                .append('\n');
        sb.append("- Java: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", heap max ")
                .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB\n");
        try {
            sb.append("- Data file system: ").append(Files.getFileStore(dataFile).type()).append(" (")
                    .append(Files.getFileStore(dataFile).name()).append(")\n");
        } catch (IOException e) {
            sb.append("- Data file system: unknown (").append(e.getMessage()).append(")\n");
        }
        sb.append("- Fileflux engines available: ").append(String.join(", ", SequentialReaders.availableEngines()))
                .append('\n');
        return sb.toString();
    }

    /** The 1, 5 and 15 minute load averages (Linux), or the JVM's 1-minute figure elsewhere. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    static String sequentialCsv(List<SequentialBench.Row> rows) {
        StringBuilder sb = new StringBuilder("contender,chunk,gbps_median,gbps_min,gbps_max,ratio,ratio_min,ratio_max,cpu_s_per_gib,alloc_b_per_mib\n");
        for (SequentialBench.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.1f%n", csv(r.contender()),
                    r.chunkSize(), r.medianGBps(), r.minGBps(), r.maxGBps(), r.ratio(), r.ratioMin(), r.ratioMax(),
                    r.cpuSecPerGiB(), r.allocPerMiB()));
        }
        return sb.toString();
    }

    static String randomCsv(List<RandomBench.Row> rows) {
        StringBuilder sb = new StringBuilder(
                "contender,queue_depth,iops,p50_us,p99_us,p999_us,iops_min,iops_max,cpu_us_per_read,note\n");
        for (RandomBench.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%.0f,%.1f,%.1f,%.1f,%.0f,%.0f,%.2f,%s%n", csv(r.contender()),
                    r.queueDepth(), r.iops(), r.p50us(), r.p99us(), r.p999us(), r.iopsMin(), r.iopsMax(), r.cpuUs(),
                    r.note().replace(',', ';').replace('\n', ' ')));
        }
        return sb.toString();
    }

    /** A name as one CSV field: commas become semicolons. */
    private static String csv(String name) {
        return name.replace(',', ';');
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    static String sequential(List<SequentialBench.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| contender | chunk | GB/s median (min–max) | ratio to FileChannel.read (min–max) | CPU s/GiB | alloc B/MiB |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (SequentialBench.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f (%.2f–%.2f) | **%.2f** (%.2f–%.2f) | %.3f | %s |%n",
                    r.contender(), Units.bytes(r.chunkSize()), r.medianGBps(), r.minGBps(), r.maxGBps(), r.ratio(),
                    r.ratioMin(), r.ratioMax(), r.cpuSecPerGiB(), alloc(r.allocPerMiB())));
        }
        return sb.toString();
    }

    static String write(List<SequentialBench.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| contender | chunk | GB/s median (min–max) | ratio to FileChannel.write, same sync (min–max) | CPU s/GiB | alloc B/MiB |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (SequentialBench.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f (%.2f–%.2f) | **%.2f** (%.2f–%.2f) | %.3f | %s |%n",
                    r.contender(), Units.bytes(r.chunkSize()), r.medianGBps(), r.minGBps(), r.maxGBps(), r.ratio(),
                    r.ratioMin(), r.ratioMax(), r.cpuSecPerGiB(), alloc(r.allocPerMiB())));
        }
        return sb.toString();
    }

    private static String alloc(double bytesPerMiB) {
        if (bytesPerMiB >= 1 << 20) {
            return String.format(Locale.ROOT, "%.2f MiB", bytesPerMiB / (1 << 20));
        }
        if (bytesPerMiB >= 1 << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytesPerMiB / (1 << 10));
        }
        return String.format(Locale.ROOT, "%.0f B", bytesPerMiB);
    }

    static String random(List<RandomBench.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| contender | QD | IOPS | min–max | p50 µs | p99 µs | p99.9 µs | CPU µs/read |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RandomBench.Row r : rows) {
            if (r.measured()) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %,.0f–%,.0f | %.0f | %.0f | %.0f | %.1f |%n",
                        r.contender(), r.queueDepth(), r.iops(), r.iopsMin(), r.iopsMax(), r.p50us(), r.p99us(),
                        r.p999us(), r.cpuUs()));
            } else {
                sb.append(String.format(Locale.ROOT, "| %s | %d | — | — | — | — | — | — (%s) |%n", r.contender(),
                        r.queueDepth(), r.note().replace('|', '/')));
            }
        }
        return sb.toString();
    }

    static String tail(List<TailBench.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| contender | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|\n");
        for (TailBench.Row r : rows) {
            sb.append(r.note().isEmpty()
                    ? String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.1f |%n", r.contender(), r.p50ms(), r.p99ms(), r.maxMs())
                    : String.format(Locale.ROOT, "| %s | — | — | — (%s) |%n", r.contender(), r.note().replace('|', '/')));
        }
        return sb.toString();
    }

    static String memory(List<MemoryBench.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| contender | peak held by the pipeline | peak direct memory (incl. garbage) | peak heap (incl. garbage) | time s |\n|---|---:|---:|---:|---:|\n");
        for (MemoryBench.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.1f MiB | %.1f MiB | %.1f |%n", r.contender(),
                    r.peakHeld() < 0 ? "—" : String.format(Locale.ROOT, "%.2f MiB", r.peakHeld() / 1048576.0),
                    r.peakDirect() / 1048576.0, r.peakHeap() / 1048576.0, r.seconds()));
        }
        return sb.toString();
    }
}
