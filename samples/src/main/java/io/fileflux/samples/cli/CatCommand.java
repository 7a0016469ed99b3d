package io.fileflux.samples.cli;

import io.fileflux.core.BufferPool;
import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.ReadOptions;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.Signal;

/**
 * {@code fileflux cat}: streams files to standard output through the read publisher. The engine
 * thread only hands chunks over; the main thread writes them, so a slow or closed stdout applies
 * backpressure (or cancels) instead of blocking the engine.
 */
@Command(name = "cat", mixinStandardHelpOptions = true,
        description = "Stream files to standard output through Fileflux.")
final class CatCommand implements Callable<Integer> {

    /** Exit status of a program killed by SIGPIPE, which is what {@code cat | head} reports. */
    static final int EXIT_BROKEN_PIPE = 141;

    @Mixin
    EngineOption engine;

    @Option(names = "--chunk-size", paramLabel = "N", converter = SizeConverter.class,
            description = "bytes per read (default 1m; k, m, g suffixes)")
    long chunkSize = 1 << 20;

    @Option(names = "--in-flight", paramLabel = "N", description = "reads in flight (default 4)")
    int inFlight = 4;

    @Option(names = "--offset", paramLabel = "N", converter = SizeConverter.class,
            description = "start at this byte offset of each file")
    long offset;

    @Option(names = "--length", paramLabel = "N", converter = SizeConverter.class,
            description = "stop after this many bytes of each file")
    Long length;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "files to print, in order ('-' is standard input)")
    List<String> files;

    /**
     * Prints every file in order. Like {@code cat}, a file that cannot be read is reported on
     * standard error and the others are still printed; the exit code is then 1.
     */
    @Override
    public Integer call() throws IOException {
        if (chunkSize <= 0 || chunkSize > (1 << 30)) {
            throw new IllegalArgumentException("--chunk-size must be between 1 and 1g, was " + chunkSize);
        }
        if (inFlight < 1 || inFlight > ReadOptions.MAX_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException("--in-flight must be between 1 and " + ReadOptions.MAX_IN_FLIGHT_LIMIT
                    + ", was " + inFlight);
        }
        ReadOptions base = ReadOptions.defaults().engine(engine.engine()).maxInFlight(inFlight).position(offset)
                .length(length == null ? ReadOptions.TO_END : length);
        FileChannel out = new FileOutputStream(FileDescriptor.out).getChannel();
        int status = 0;
        for (String arg : files) {
            try {
                Path file = CliPaths.input(arg);
                if (isStandardOutput(file)) {
                    throw new FileSystemException(arg, null, "input file is output file");
                }
                if (print(file, base, out)) {
                    return EXIT_BROKEN_PIPE;
                }
            } catch (StdoutException e) {
                throw e; // standard output failed: nothing more can be printed
            } catch (IOException | RuntimeException e) {
                System.err.println("fileflux: " + UserErrors.describe(e));
                status = 1;
            }
        }
        return status;
    }

    /**
     * True if standard output is a regular file and {@code file} is that file ({@code cat f >> f}
     * would never end, like GNU cat refuses it).
     */
    private static boolean isStandardOutput(Path file) {
        try {
            Path stdout = Path.of("/proc/self/fd/1");
            return Files.isRegularFile(stdout) && Files.isRegularFile(file) && Files.isSameFile(stdout, file);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Streams one file to {@code out}; true if standard output was closed (stop, like cat on SIGPIPE). */
    private boolean print(Path file, ReadOptions base, FileChannel out) throws IOException {
        // a regular file never needs buffers larger than itself (--chunk-size 1g on a small file)
        int chunk = (int) chunkSize;
        if (Files.isRegularFile(file)) {
            long size = Files.size(file);
            if (size > 0 && size < chunk) {
                chunk = (int) Math.max(4096, size);
            }
        }
        checkDirectMemory(file, chunk, inFlight);
        BufferPool pool = new BufferPool(chunk, inFlight * 2 + 2);
        // materialized: an error is queued behind the chunks read before it (toStream() alone throws it as
        // soon as it arrives and drops the chunks still queued)
        try (Stream<Signal<ByteBuffer>> signals = FileFlux.read(file, base.chunkSize(chunk).pooled(pool))
                .materialize().toStream(inFlight * 2)) {
            Iterator<Signal<ByteBuffer>> it = signals.iterator();
            while (it.hasNext()) {
                Signal<ByteBuffer> signal = it.next();
                if (signal.isOnError()) {
                    throw rethrow(signal.getThrowable());
                }
                if (!signal.isOnNext()) {
                    break;
                }
                ByteBuffer b = signal.get();
                try {
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                } catch (IOException e) {
                    // standard output closed early (cat BIG | head): closing the stream cancels the
                    // reads in flight; exit quietly like cat does on SIGPIPE
                    if (isBrokenPipe(e)) {
                        return true;
                    }
                    throw new StdoutException(e);
                } finally {
                    pool.release(b);
                }
            }
        }
        return false;
    }

    /**
     * Fails at once when the reads in flight alone cannot fit in the JVM's direct memory, instead of
     * reading until an allocation fails (which, with {@code --chunk-size 1g --in-flight 16}, took 30 s of
     * garbage collections first). The message is the one the read publisher gives when memory runs out.
     */
    static void checkDirectMemory(Path file, long chunk, int inFlight) throws IOException {
        long limit = maxDirectMemory();
        long needed = chunk * inFlight;
        if (limit > 0 && needed > limit - directMemoryUsed()) {
            throw new IOException("reading " + file + ": cannot allocate " + inFlight + " read buffers of " + chunk
                    + " bytes (" + mib(needed) + " MiB) within the JVM's direct memory (" + mib(limit)
                    + " MiB, -XX:MaxDirectMemorySize); lower --chunk-size (" + chunk + ") or --in-flight ("
                    + inFlight + "), or give the JVM more direct memory (JAVA_TOOL_OPTIONS=-XX:MaxDirectMemorySize=...)");
        }
    }

    /** {@code -XX:MaxDirectMemorySize}, or the heap's maximum when it is not set (the JVM's default); 0 if unknown. */
    static long maxDirectMemory() {
        try {
            var diag = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            long set = diag == null ? 0 : Long.parseLong(diag.getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException | LinkageError e) {
            return 0; // not HotSpot: let the reads find out
        }
    }

    private static long directMemoryUsed() {
        for (var pool : java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return Math.max(0, pool.getMemoryUsed());
            }
        }
        return 0;
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** A read's error signal, thrown as is when it is unchecked or an {@link IOException}. */
    private static IOException rethrow(Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new IOException(t);
    }

    /** A failed write to standard output: ends the command, unlike an unreadable input file. */
    static final class StdoutException extends IOException {
        StdoutException(IOException cause) {
            super("write error: standard output: " + cause.getMessage(), cause);
        }
    }

    private static boolean isBrokenPipe(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("Broken pipe") || m.contains("pipe is being closed")
                || m.contains("pipe has been ended"));
    }
}
