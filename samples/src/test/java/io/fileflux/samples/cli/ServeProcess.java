package io.fileflux.samples.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fileflux serve} running in a child JVM: started, its port read from the banner it prints (however
 * long the JVM takes to start), its status endpoint and its descriptors read, and stopped.
 */
final class ServeProcess implements AutoCloseable {

    final Process process;
    final int port;
    final ByteArrayOutputStream stderr;
    private final Thread errReader;

    private ServeProcess(Process process, int port, ByteArrayOutputStream stderr, Thread errReader) {
        this.process = process;
        this.port = port;
        this.stderr = stderr;
        this.errReader = errReader;
    }

    /** Starts {@code fileflux serve --port 0 ARGS...} and waits for its banner. */
    static ServeProcess start(String... args) throws Exception {
        return start(CliProcess.builder(serveArgs(args)));
    }

    /**
     * Like {@link #start(String...)}, but a server run by root loses the capabilities that let root read any file
     * ({@code CAP_DAC_OVERRIDE}, {@code CAP_DAC_READ_SEARCH}, through {@code setpriv}): file permissions then
     * apply to it as to any owner, and a file with mode {@code 000} is unreadable for real.
     */
    static ServeProcess startObeyingPermissions(String... args) throws Exception {
        ProcessBuilder b = CliProcess.builder(serveArgs(args));
        if ("root".equals(System.getProperty("user.name"))) {
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search",
                    "--inh-caps=-dac_override,-dac_read_search", "--"));
            cmd.addAll(b.command());
            b.command(cmd);
        }
        return start(b);
    }

    private static String[] serveArgs(String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "serve";
        cmd[1] = "--port";
        cmd[2] = "0";
        System.arraycopy(args, 0, cmd, 3, args.length);
        return cmd;
    }

    private static ServeProcess start(ProcessBuilder builder) throws Exception {
        Process p = builder.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = new Thread(() -> CliProcess.copy(p.getErrorStream(), err));
        errReader.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            return new ServeProcess(p, port(out, err), err, errReader);
        } catch (Exception | AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static int port(BufferedReader out, ByteArrayOutputStream err) throws Exception {
        // the bound only stops a hung test: a loaded machine may take many seconds to start a JVM
        String banner = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(300, TimeUnit.SECONDS);
        assertNotNull(banner, "no banner: " + err);
        Matcher m = Pattern.compile("at http://127\\.0\\.0\\.1:(\\d+)/").matcher(banner);
        assertTrue(m.find(), banner);
        return Integer.parseInt(m.group(1));
    }

    /** The status endpoint's answer, on a connection of its own that the server closes after it. */
    String status() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /_fileflux/status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    /** A number of the status endpoint's answer. */
    static long field(String status, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(status);
        assertTrue(m.find(), name + " in " + status);
        return Long.parseLong(m.group(1));
    }

    /** The server's open sockets and files (descriptor number to target), leaving out pipes and anonymous inodes. */
    Map<String, String> socketsAndFiles() {
        Map<String, String> fds = new TreeMap<>();
        try (var list = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            list.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:") || (target.startsWith("/") && !target.endsWith(".jar")
                            && !target.endsWith(".jsa") && !target.startsWith("/proc/"))) {
                        fds.put(fd.getFileName().toString(), target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            });
        } catch (IOException e) {
            throw new AssertionError("cannot list the descriptors of " + process.pid(), e);
        }
        return fds;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        errReader.join(10_000);
    }
}
