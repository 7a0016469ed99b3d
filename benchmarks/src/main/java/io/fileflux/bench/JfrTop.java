package io.fileflux.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording's CPU samples ({@code jdk.ExecutionSample}, plus {@code jdk.NativeMethodSample}
 * for threads in native code) for the "why does it trail" notes: the hottest methods by self time and by
 * total (inclusive) time, the samples per thread, and allocation ({@code jdk.ObjectAllocationSample})
 * by class and allocation site. async-profiler is not available here; JFR is.
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=run.jfr,settings=profile -cp ... io.fileflux.bench.BenchMain --only ...
 * java -cp ... io.fileflux.bench.JfrTop run.jfr [top]
 * </pre>
 */
public final class JfrTop {

    private JfrTop() {
    }

    public static void main(String[] args) throws Exception {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> nativeSelf = new HashMap<>();
        Map<String, Integer> alloc = new HashMap<>();
        long allocTotal = 0;
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ObjectAllocationSample") && e.getStackTrace() != null) {
                long weight = e.getLong("weight");
                allocTotal += weight;
                String site = e.getStackTrace().getFrames().stream().limit(4).map(JfrTop::name)
                        .reduce((a, b) -> a + " < " + b).orElse("?");
                alloc.merge(e.getClass("objectClass").getName() + " @ " + site, (int) Math.min(Integer.MAX_VALUE,
                        weight / 1024), Integer::sum);
                continue;
            }
            boolean java = type.equals("jdk.ExecutionSample");
            if (!java && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = st.getFrames();
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            if (java) {
                samples++;
                self.merge(name(frames.get(0)), 1, Integer::sum);
                threads.merge(thread.replaceAll("\\d+", "N"), 1, Integer::sum);
                frames.stream().map(JfrTop::name).distinct().forEach(n -> total.merge(n, 1, Integer::sum));
            } else {
                nativeSelf.merge(thread.replaceAll("\\d+", "N") + " in " + name(frames.get(0)), 1, Integer::sum);
            }
        }
        System.out.println(samples + " Java execution samples");
        print("threads (Java samples)", threads, top, samples);
        print("self", self, top, samples);
        print("total (inclusive)", total, top, samples);
        if (allocTotal > 0) {
            print("allocation by class @ site (share of " + (allocTotal >> 20) + " MiB sampled)", alloc, top,
                    (int) (allocTotal / 1024));
        }
        print("threads parked/in native (native samples)", nativeSelf, top, Math.max(1, nativeSelf.values().stream()
                .mapToInt(Integer::intValue).sum()));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int top, int samples) {
        System.out.println("\n== " + title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf("%6.1f%%  %s%n", 100.0 * en.getValue() / samples, en.getKey()));
    }
}
