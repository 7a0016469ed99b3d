package io.fileflux.bench.jmh;

import io.fileflux.bench.Outcome;
import io.fileflux.bench.SequentialReader;
import io.fileflux.bench.SequentialReaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH view of the sequential-read contenders: one operation reads the whole file (system property
 * {@code fileflux.bench.file}, default {@code /work/data/big.bin}) and folds every byte. Run with
 * {@code -prof gc} for allocation per operation ({@code gc.alloc.rate.norm} ÷ file size in MiB) and
 * with {@code -prof stack} or JFR to see where a contender spends its time. The end-to-end harness
 * ({@code BenchMain}) is the side-by-side comparison; this is for profiling one contender at a time.
 *
 * <pre>
 * java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' org.openjdk.jmh.Main SequentialReadBenchmark \
 *      -p reader=fileflux-io-uring-x16-pooled -p chunk=65536 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class SequentialReadBenchmark {

    /** {@link SequentialReaders#key} of the contender. */
    @Param({"filechannel-read", "asynchronousfilechannel-x1", "asynchronousfilechannel-x16",
            "spring-databufferutils-read", "vert-x-asyncfile", "flux-generate-reused-buffer",
            "fileflux-nio-x16-pooled", "fileflux-io-uring-x16-pooled"})
    public String reader;

    @Param({"65536", "1048576"})
    public int chunk;

    private SequentialReader contender;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        file = Path.of(System.getProperty("fileflux.bench.file", "/work/data/big.bin"));
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no file " + file + ": set -Dfileflux.bench.file");
        }
        contender = SequentialReaders.byKey(reader);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        contender.close();
    }

    @Benchmark
    public long readWholeFile() throws Exception {
        Outcome o = contender.read(file, chunk);
        return o.fold() + o.bytes();
    }
}
