package io.fileflux.samples.cli;

import io.fileflux.samples.server.FileServer;
import io.fileflux.samples.server.FileServerSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fileflux serve}: serves a directory over HTTP (Spring WebFlux on Reactor Netty), every file read
 * through Fileflux; prints the URL and runs until stopped.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a directory over HTTP through Fileflux: ranges, conditional requests, listings.")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EngineOption engine;

    @Option(names = "--port", paramLabel = "P", description = "TCP port (default 8080; 0 picks a free one)")
    int port = 8080;

    @Option(names = "--host", paramLabel = "ADDR", description = "address to listen on (default 127.0.0.1)")
    String host = "127.0.0.1";

    @Option(names = "--chunk-size", paramLabel = "N", converter = SizeConverter.class,
            description = "bytes per read (default 256k)")
    long chunkSize = 256 * 1024;

    @Option(names = "--in-flight", paramLabel = "N", description = "reads in flight per response (default 4); "
            + "a client that stops reading holds about in-flight x chunk-size on the server")
    int inFlight = 4;

    @Option(names = "--header-timeout", paramLabel = "T", converter = DurationConverter.class,
            description = "close a connection that takes longer than this to send a request's headers, or that "
                    + "stays idle this long between requests (default 30s; 500ms, 2m)")
    Duration headerTimeout = FileServerSettings.DEFAULT_HEADER_TIMEOUT;

    @Option(names = "--transfer", paramLabel = "HOW", description = "how file bodies are sent: auto (zero-copy "
            + "sendfile for a whole file or one range over plain HTTP/1.1, Fileflux under TLS, HTTP/2, compression and "
            + "for several ranges), stream (always Fileflux) or zero-copy (default auto)")
    String transfer = "auto";

    @Option(names = "--compare", description = "also serve the directory through Spring's own file handling "
            + "under /_compare/spring/ and /_compare/dbu/ (benchmarks)")
    boolean compare;

    @Parameters(paramLabel = "DIR", description = "the directory to serve")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (dir.toString().isEmpty()) {
            // Path.of("") is the current directory: an empty argument (an unset variable) must not serve it
            throw new IllegalArgumentException("DIR must name a directory, was empty");
        }
        if (!FileServerSettings.TRANSFERS.contains(transfer)) {
            throw new IllegalArgumentException("--transfer must be one of " + FileServerSettings.TRANSFERS
                    + ", was '" + transfer + "'");
        }
        if (chunkSize <= 0 || chunkSize > (64 << 20)) {
            throw new IllegalArgumentException("--chunk-size must be between 1 and 64m, was " + chunkSize);
        }
        if (inFlight <= 0) {
            throw new IllegalArgumentException("--in-flight must be > 0, was " + inFlight);
        }
        if (headerTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("--header-timeout must be at least 1ms, was " + headerTimeout);
        }
        checkAddress(host, port);
        quietSpringLogs();
        FileServer server = FileServer.start(new FileServerSettings(dir, engine.engine(), (int) chunkSize, inFlight,
                compare).withHeaderTimeout(headerTimeout).withTransfer(transfer), host, port);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Serving %s at %s (engine %s) — status: %s, Ctrl+C to stop%n", dir.toAbsolutePath().normalize(),
                server.url(), engine.engine().name(), server.url() + FileServer.STATUS_PATH.substring(1));
        out.flush();
        server.awaitClose();
        return 0;
    }

    /**
     * What Spring would report with a stack trace of 50 lines, said in one: a port out of range, a host that
     * does not resolve, an address that is not one of this machine's (a port in use is Spring's
     * {@code PortInUseException}, which the CLI already says in one line).
     */
    static void checkAddress(String host, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be from 0 to 65535 (0: any free port), was " + port);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve --host " + host + ": unknown host");
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(address, 0), 1);
        } catch (IOException e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new IllegalArgumentException("cannot listen on " + host + ": " + reason
                    + " (--host must be an address of this machine)");
        }
    }

    /**
     * Spring's start-up INFO lines are noise for a command-line user, and a failure to start comes
     * back as an exception that the CLI prints as one line: Spring shows errors only, Netty warnings.
     */
    private static void quietSpringLogs() {
        quiet("org.springframework", "error");
        // a failure to start comes back as the exception the CLI prints in one line: no "Application run
        // failed" stack trace before it (set this property to error to see it)
        quiet("org.springframework.boot.SpringApplication", "off");
        quiet("reactor.netty", "warn");
        quiet("io.netty", "warn");
    }

    private static void quiet(String logger, String level) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }
}
