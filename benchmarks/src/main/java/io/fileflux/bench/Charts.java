package io.fileflux.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The PNG charts of a run, drawn with XChart (headless). */
final class Charts {

    private Charts() {
    }

    /** Writes the charts of the sections that ran into {@code dir}; returns the file names written. */
    static List<String> write(Path dir, List<SequentialBench.Row> seq, List<RandomBench.Row> random)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<String> written = new ArrayList<>();
        if (!seq.isEmpty()) {
            written.add(save(sequential(seq), dir, "bench-seq-throughput"));
        }
        List<RandomBench.Row> measured = random.stream().filter(RandomBench.Row::measured).toList();
        if (!measured.isEmpty()) {
            written.add(save(iops(measured), dir, "bench-random-iops"));
            written.add(save(latency(measured), dir, "bench-random-latency"));
        }
        return written;
    }

    private static String save(CategoryChart chart, Path dir, String name) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        return name + ".png";
    }

    private static CategoryChart base(String title, String yTitle, int width) {
        CategoryChart chart = new CategoryChartBuilder().width(width).height(560).title(title)
                .xAxisTitle("").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(40);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setLabelsVisible(false);
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    /** Median throughput ratio to FileChannel.read per contender, one series per chunk size. */
    private static CategoryChart sequential(List<SequentialBench.Row> rows) {
        Set<String> names = new LinkedHashSet<>();
        Set<Integer> chunks = new LinkedHashSet<>();
        rows.forEach(r -> {
            names.add(r.contender());
            chunks.add(r.chunkSize());
        });
        CategoryChart chart = base("Sequential read of a warm file: throughput vs FileChannel.read (1.0)",
                "ratio to FileChannel.read (median of rounds)", 1200);
        for (int chunk : chunks) {
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (String n : names) {
                rows.stream().filter(r -> r.chunkSize() == chunk && r.contender().equals(n)).findFirst()
                        .ifPresent(r -> {
                            x.add(n);
                            y.add(r.ratio());
                        });
            }
            chart.addSeries(Units.bytes(chunk) + " chunks", x, y); // ranges are in the table
        }
        return chart;
    }

    private static CategoryChart iops(List<RandomBench.Row> rows) {
        Set<String> names = new LinkedHashSet<>();
        rows.forEach(r -> names.add(r.contender().replaceAll(" \\(\\d+ jobs\\)", "")));
        CategoryChart chart = base("O_DIRECT random 4 KiB reads: IOPS by queue depth", "reads per second", 1000);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (String n : names) {
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (RandomBench.Row r : rows) {
                if (r.contender().replaceAll(" \\(\\d+ jobs\\)", "").equals(n)) {
                    x.add("QD" + r.queueDepth());
                    y.add(r.iops());
                }
            }
            chart.addSeries(n, x, y);
        }
        return chart;
    }

    private static CategoryChart latency(List<RandomBench.Row> rows) {
        int qd = rows.stream().mapToInt(RandomBench.Row::queueDepth).max().orElse(1);
        CategoryChart chart = base("O_DIRECT random 4 KiB reads at QD" + qd + ": latency percentiles",
                "microseconds", 1000);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (String p : List.of("p50", "p99", "p99.9")) {
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (RandomBench.Row r : rows) {
                if (r.queueDepth() == qd) {
                    x.add(r.contender().replaceAll(" \\(\\d+ jobs\\)", ""));
                    y.add(switch (p) {
                        case "p50" -> r.p50us();
                        case "p99" -> r.p99us();
                        default -> r.p999us();
                    });
                }
            }
            chart.addSeries(p, x, y);
        }
        return chart;
    }
}
