package io.fileflux.bench;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code fio} as a subprocess for the same random-read workload ({@code --direct=1 --rw=randread
 * --bs=4k}) and reads IOPS and completion-latency percentiles from its JSON output. {@code psync}
 * has no queue: its queue depth is reached with that many jobs ({@code --numjobs}).
 */
final class Fio {

    /**
     * @param iops  reads per second
     * @param p50us median completion latency, microseconds
     * @param p99us 99th percentile, microseconds
     * @param p999us 99.9th percentile, microseconds
     * @param cpuUsPerRead fio's CPU time (user + system) per read, microseconds; NaN when not reported
     * @param error why there is no result, else null
     */
    record Result(double iops, double p50us, double p99us, double p999us, double cpuUsPerRead, String error) {
    }

    private Fio() {
    }

    /** Null if {@code fio} runs here, else why not. */
    static String missing() {
        try {
            Process p = new ProcessBuilder("fio", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "fio --version failed";
        } catch (Exception e) {
            return "not installed (apt-get install fio)";
        }
    }

    static Result randomRead(Path file, String ioengine, int queueDepth, double seconds) {
        List<String> cmd = new ArrayList<>(List.of("fio", "--name=randread", "--filename=" + file,
                "--direct=1", "--rw=randread", "--bs=4k", "--ioengine=" + ioengine, "--time_based",
                "--runtime=" + Math.max(1, Math.round(seconds)), "--ramp_time=" + (seconds >= 3 ? 1 : 0),
                "--output-format=json", "--group_reporting", "--randrepeat=0", "--norandommap"));
        if ("psync".equals(ioengine)) {
            cmd.add("--numjobs=" + queueDepth);
            cmd.add("--iodepth=1");
        } else {
            cmd.add("--iodepth=" + queueDepth);
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            String json = readAll(p.getInputStream());
            String err = readAll(p.getErrorStream());
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                return new Result(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        "fio failed: " + err.strip().replace('\n', ' '));
            }
            return parse(json);
        } catch (Exception e) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "fio failed: " + e);
        }
    }

    /** Reads the {@code read} section of fio's JSON output. */
    static Result parse(String json) {
        int read = json.indexOf("\"read\"");
        int write = json.indexOf("\"write\"", read);
        String section = json.substring(read, write < 0 ? json.length() : write);
        int clat = section.indexOf("\"clat_ns\"");
        String lat = clat < 0 ? section : section.substring(clat);
        double iops = number(section, "\"iops\"\\s*:\\s*([0-9.]+)");
        // usr_cpu / sys_cpu: percent of the job's run time (with --numjobs, as fio's group report gives them)
        double cpuPercent = number(json, "\"usr_cpu\"\\s*:\\s*([0-9.]+)") + number(json, "\"sys_cpu\"\\s*:\\s*([0-9.]+)");
        return new Result(iops,
                number(lat, "\"50\\.000000\"\\s*:\\s*([0-9.]+)") / 1e3,
                number(lat, "\"99\\.000000\"\\s*:\\s*([0-9.]+)") / 1e3,
                number(lat, "\"99\\.900000\"\\s*:\\s*([0-9.]+)") / 1e3, cpuPercent / 100 * 1e6 / iops, null);
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static String readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
