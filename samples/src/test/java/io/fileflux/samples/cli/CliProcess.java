package io.fileflux.samples.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the command line in a child JVM, as a user would, and captures what it prints. */
final class CliProcess {

    final int exitCode;
    final byte[] stdout;
    final String stderr;

    private CliProcess(int exitCode, byte[] stdout, String stderr) {
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** True if this process ignores SIGINT (Linux: the SigIgn mask of /proc/self/status). */
    static boolean sigintIgnored() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing to restore
        }
        return false;
    }

    static ProcessBuilder builder(String... args) {
        return builder(System.getProperty("java.class.path"), List.of(), args);
    }

    /** The command line on class path {@code classPath}, with extra JVM options. */
    static ProcessBuilder builder(String classPath, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        if (sigintIgnored()) {
            // started from a background job, this JVM inherited SIGINT ignored, and so would the child: a JVM
            // that starts with SIGINT ignored never handles Ctrl+C, which the serve and tail tests send
            cmd.addAll(List.of("/usr/bin/env", "--default-signal=INT"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED"); // as ./fileflux does: no JEP 472 warning on stderr
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(FilefluxCli.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    static CliProcess run(String... args) throws IOException, InterruptedException {
        return run(builder(args), args);
    }

    /** Runs it on class path {@code classPath}, with extra JVM options. */
    static CliProcess run(String classPath, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        return run(builder(classPath, jvmOptions, args), args);
    }

    private static CliProcess run(ProcessBuilder builder, String... args) throws IOException, InterruptedException {
        Process p = builder.start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = new Thread(() -> copy(p.getErrorStream(), err));
        errReader.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("fileflux " + String.join(" ", args) + " did not exit");
        }
        errReader.join();
        return new CliProcess(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
