package io.fileflux.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Puts the ratios of several harness runs side by side (the machine is noisy: a number is only
 * believed when repeated runs agree). Reads each run directory's {@code sequential.csv} and
 * {@code random.csv}; prints Markdown.
 *
 * <pre>java -cp ... io.fileflux.bench.Compare run1 run2 run3</pre>
 */
public final class Compare {

    private Compare() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, List<String>> seq = new LinkedHashMap<>();
        Map<String, List<String>> rnd = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            read(Path.of(args[i], "sequential.csv"), i, args.length, seq, 2, new int[] {5, 8, 9});
            read(Path.of(args[i], "random.csv"), i, args.length, rnd, 2, new int[] {2, 4, 8});
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| contender | chunk |");
        for (int i = 0; i < args.length; i++) {
            sb.append(" run ").append(i + 1).append(" ratio / CPU s/GiB / alloc B/MiB |");
        }
        sb.append("\n|---|---:|").append("---:|".repeat(args.length)).append('\n');
        seq.forEach((k, v) -> sb.append("| ").append(k.replace("\t", " | ")).append(" | ")
                .append(String.join(" | ", v)).append(" |\n"));
        sb.append("\n| contender | QD |");
        for (int i = 0; i < args.length; i++) {
            sb.append(" run ").append(i + 1).append(" IOPS / p99 µs / CPU µs/read |");
        }
        sb.append("\n|---|---:|").append("---:|".repeat(args.length)).append('\n');
        rnd.forEach((k, v) -> sb.append("| ").append(k.replace("\t", " | ")).append(" | ")
                .append(String.join(" | ", v)).append(" |\n"));
        System.out.print(sb);
    }

    private static void read(Path csv, int run, int runs, Map<String, List<String>> into, int keyColumns,
                             int[] columns) throws Exception {
        if (!Files.exists(csv)) {
            return;
        }
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            String key = f[0].replace(';', ',') + "\t" + (keyColumns > 1 && f[1].matches("\\d{4,}") ? Units.bytes(Long.parseLong(f[1])) : f[1]);
            List<String> cells = into.computeIfAbsent(key, k -> {
                List<String> l = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    l.add("—");
                }
                return l;
            });
            List<String> parts = new ArrayList<>();
            for (int c : columns) {
                parts.add(c < f.length ? format(f[c]) : "—"); // older runs' files have fewer columns
            }
            cells.set(run, String.join(" / ", parts));
        }
    }

    private static String format(String v) {
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d)) {
                return "—";
            }
            return d >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.2f", d);
        } catch (NumberFormatException e) {
            return v;
        }
    }
}
