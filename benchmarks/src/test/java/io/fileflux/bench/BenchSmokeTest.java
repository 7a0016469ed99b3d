package io.fileflux.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness runs end to end on tiny files: every section, every contender, the report and the
 * charts. It asserts that the run completes and reports, never how fast anything was.
 */
class BenchSmokeTest {

    @TempDir
    Path dir;

    @Test
    void harnessRunsEndToEndOnTinyFiles() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "--size", "1m", "--file", dir.resolve("seq.bin").toString(),
                "--random-size", "1m", "--random-file", dir.resolve("rand.bin").toString(),
                "--memory-size", "256k", "--write-size", "1m", "--warmup", "0", "--rounds", "1", "--duration", "0.05",
                "--queue-depths", "1,4", "--appends", "5", "--no-fio", "--no-progress", "--out", dir.resolve("out").toString());
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, () -> stdout + err.toString(StandardCharsets.UTF_8));

        String report = Files.readString(dir.resolve("out/results.md"));
        for (String section : new String[] {"Sequential read", "Sequential write", "O_DIRECT random", "slow subscriber", "Tail latency"}) {
            assertTrue(report.contains(section), () -> "missing section " + section + ":\n" + report);
        }
        for (SequentialReader r : SequentialReaders.all()) {
            assertTrue(report.contains("| " + r.name() + " | 64 KiB |"), () -> "missing " + r.name() + ":\n" + report);
            r.close();
        }
        for (WriteBench.Writer w : WriteBench.all()) {
            assertTrue(report.contains("| " + w.name() + " | 64 KiB |"), () -> "missing " + w.name() + ":\n" + report);
            assertTrue(report.contains("| " + w.name() + " | 1 MiB |"), () -> "missing " + w.name() + ":\n" + report);
            w.close();
        }
        assertTrue(report.contains("| Fileflux defaults (read(path)) | 64 KiB |"), report);
        if (PageCache.available()) {
            assertTrue(report.contains("## Sequential read of a cold 1 MiB file"), report);
        }
        assertTrue(report.contains("fio io_uring"), report);
        // a JDK without fonts cannot draw charts; the harness then says so in the report instead
        assertTrue(report.contains("Charts skipped") || Files.size(dir.resolve("out/images/bench-seq-throughput.png")) > 0,
                report);
        assertTrue(Files.readString(dir.resolve("out/sequential.csv")).contains(SequentialReaders.BASELINE));
    }

    @Test
    void sizesParseAndPrint() {
        assertEquals(64 * 1024, Units.parseBytes("64k"));
        assertEquals(1L << 30, Units.parseBytes("1GiB"));
        assertEquals("1 MiB", Units.bytes(1 << 20));
    }

    @Test
    void fioJsonIsRead() {
        String json = "{\"jobs\":[{\"read\":{\"iops\" : 65331.5,\"clat_ns\":{\"percentile\":{\"50.000000\" : 452608,"
                + "\"99.000000\" : 790528,\"99.900000\" : 1056768}}},\"write\":{\"iops\" : 0},"
                + "\"usr_cpu\" : 10.0,\"sys_cpu\" : 30.0}]}";
        Fio.Result r = Fio.parse(json);
        assertEquals(65331.5, r.iops());
        assertEquals(452.608, r.p50us(), 1e-9);
        assertEquals(790.528, r.p99us(), 1e-9);
        assertEquals(0.40 * 1e6 / 65331.5, r.cpuUsPerRead(), 1e-9); // 40% of one second over 65,331.5 reads
    }
}
