package io.fileflux.samples.server;

import io.fileflux.core.BufferPool;
import io.fileflux.core.FileEngine;
import io.fileflux.spring.webflux.DirectoryListing;
import io.fileflux.spring.webflux.FileServingHandler;
import io.fileflux.spring.webflux.FileServingOptions;
import io.fileflux.spring.webflux.SafePaths;
import io.fileflux.spring.webflux.TransferCounters;
import io.netty.channel.ChannelPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ResourceHttpMessageWriter;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;

/**
 * The Fileflux file server: Spring Boot WebFlux on Reactor Netty serving one directory, every file read
 * through Fileflux. Started by {@code ./fileflux serve DIR}, or from code (tests) with {@link #start}.
 *
 * <p>Routes: {@code GET|HEAD /path} (files, ranges, directory listings), {@code GET|HEAD /_fileflux/status}
 * (open files, operations in flight), {@code GET /_fileflux/tail/path} (a growing file followed like
 * {@code tail -F}, as server-sent events), {@code GET /_fileflux/view/path} (a small page showing that
 * stream live), and with {@code compare} set, Spring's own handling of the same
 * directory under {@code /_compare/spring/} (static resources, zero-copy {@code sendfile} for whole files)
 * and {@code /_compare/dbu/} ({@code DataBufferUtils.read}), for benchmarks.
 */
public final class FileServer implements AutoCloseable {

    /** The status endpoint's path. */
    public static final String STATUS_PATH = "/_fileflux/status";

    /** With {@code compare}: Spring's static resource handling of the root. */
    static final String COMPARE_SPRING = "/_compare/spring";
    /** With {@code compare}: {@code DataBufferUtils.read} of files under the root. */
    static final String COMPARE_DBU = "/_compare/dbu";
    /** {@code /_compare/dbu/}'s buffer size when {@code ?buffer=} is not given. */
    static final int DEFAULT_DBU_BUFFER = 8192;
    /** The largest {@code ?buffer=} of {@code /_compare/dbu/}: 16 MiB. */
    static final int MAX_DBU_BUFFER = 16 << 20;

    /** How long a shutdown waits for responses in flight (downloads; live tails end at once). */
    static final String SHUTDOWN_GRACE = "1s";

    private final ConfigurableApplicationContext context;
    private final int port;
    private final String host;
    private final CountDownLatch closed = new CountDownLatch(1);

    private FileServer(ConfigurableApplicationContext context, String host) {
        this.context = context;
        this.host = host;
        this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
        context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent) {
                closed.countDown();
            }
        });
    }

    /**
     * Starts a server on {@code host:port} (port 0: any free port).
     *
     * @throws NotDirectoryException if {@code root} is not a directory
     */
    public static FileServer start(Path root, FileEngine engine, String host, int port, int chunkSize, int inFlight,
                                   boolean compare) throws IOException {
        return start(new FileServerSettings(root, engine, chunkSize, inFlight, compare), host, port);
    }

    /**
     * Starts a server with these settings on {@code host:port} (port 0: any free port).
     *
     * @throws NotDirectoryException if the settings' root is not a directory
     */
    /** The system property naming Spring Boot's logging system ({@code none}: leave logging alone). */
    private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";

    public static FileServer start(FileServerSettings requested, String host, int port) throws IOException {
        Path root = requested.root();
        if (!Files.exists(root)) {
            throw new java.nio.file.NoSuchFileException(root.toString());
        }
        if (!Files.isDirectory(root)) {
            throw new NotDirectoryException(root.toString());
        }
        FileServerSettings settings = requested.withRoot(root.toRealPath());
        // the command line logs through slf4j-simple to standard error (simplelogger.properties): Spring Boot must
        // not install a logging system of its own because Logback or Log4j happen to be on the class path (they
        // would print to standard output, the server's banner and a cat's data)
        if (System.getProperty(LOGGING_SYSTEM) == null) {
            System.setProperty(LOGGING_SYSTEM, "none");
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(Config.class)
                .web(WebApplicationType.REACTIVE)
                .properties(properties(
                        "server.address", host,
                        "server.port", Integer.toString(port),
                        "spring.main.banner-mode", "off",
                        "spring.main.log-startup-info", "false",
                        "spring.main.register-shutdown-hook", "true",
                        // Ctrl+C: responses in flight get this long to finish (graceful shutdown), then are cut
                        "spring.lifecycle.timeout-per-shutdown-phase", SHUTDOWN_GRACE,
                        // and Reactor Netty's event loops stop without their default 2 s quiet period
                        "spring.reactor.netty.shutdown-quiet-period", "0s",
                        "spring.jmx.enabled", "false",
                        // the starter's FileServingOptions: this server's pool, reads in flight, transfer, listings
                        "fileflux.chunk-size", settings.chunkSize() + "B",
                        "fileflux.in-flight", Integer.toString(settings.inFlight()),
                        "fileflux.transfer", settings.transfer(),
                        "fileflux.listing", "true"))
                .initializers(ctx -> {
                    ctx.getBeanFactory().registerSingleton("fileServerSettings", settings);
                    // the engine the server was given (the starter's own engine backs off): not closed with the context
                    ctx.getBeanFactory().registerSingleton("filefluxEngine", settings.engine());
                })
                .run();
        return new FileServer(context, host);
    }

    /** Spring properties from names and values, in pairs. */
    private static Map<String, Object> properties(String... namesAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    /** The server's base URL, ending with {@code /}. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if (h.equals("0.0.0.0")) {
            h = "localhost";
        }
        return "http://" + h + ":" + port + "/";
    }

    /** Blocks until the server is stopped (Ctrl+C / SIGTERM run the shutdown hook). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        context.close();
    }

    /**
     * The Spring configuration: auto-configured WebFlux on Reactor Netty and the Fileflux starter (its
     * {@code FileServingOptions} from {@code fileflux.*}, this server's engine, and {@link ServeBodies}), plus the
     * routes: files and listings ({@link FileServingHandler}), status, live tails, and the compare endpoints.
     */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Config {

        @Bean
        LiveTail liveTail(FileServerSettings settings) {
            return new LiveTail(settings);
        }

        /** Picked up by the starter: Connection: close, event-loop delivery, counters, the writability gate. */
        @Bean
        ServeBodies serveBodies(FileServerSettings settings) {
            return new ServeBodies(settings.inFlight());
        }

        /**
         * Live tails never end by themselves: they end when the context closes, which is before the web
         * server's graceful shutdown, so that Ctrl+C does not wait for them.
         */
        @Bean
        ApplicationListener<ContextClosedEvent> endLiveTailsOnShutdown(LiveTail live) {
            return event -> live.shutdown();
        }

        /**
         * Every connection gets a deadline for its request heads ({@link RequestHeaderTimeout}) and the listener
         * that resumes a file body when the connection turns writable again ({@link WritableDemand}).
         */
        @Bean
        NettyServerCustomizer connectionGuards(FileServerSettings settings) {
            return server -> server.doOnChannelInit((observer, channel, remoteAddress) -> {
                ChannelPipeline pipeline = channel.pipeline();
                if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                    pipeline.addAfter(NettyPipeline.HttpCodec, RequestHeaderTimeout.NAME,
                            new RequestHeaderTimeout(settings.headerTimeout()));
                    pipeline.addAfter(RequestHeaderTimeout.NAME, WritableDemand.LISTENER, new WritableDemand.Listener());
                }
            });
        }

        @Bean
        RouterFunction<ServerResponse> fileRoutes(FileServerSettings settings, LiveTail live, FileServingOptions options,
                                                  FileEngine engine, BufferPool pool, ServeBodies bodies,
                                                  TransferCounters transfers) throws IOException {
            FileServingHandler files = new FileServingHandler(settings.root(), "", options, new DirectoryListing(
                    "Served by Fileflux — <a href=\"" + STATUS_PATH + "\">status</a>",
                    path -> LiveTail.VIEW_PREFIX + path));
            ServerStatus status = new ServerStatus(settings, engine, pool, bodies, transfers, live);
            RouterFunctions.Builder routes = RouterFunctions.route()
                    .route(getOrHead().and(RequestPredicates.path(STATUS_PATH)), status::status)
                    .route(getOrHead().and(rawPathUnder(LiveTail.TAIL_PREFIX)), live::tail)
                    .route(getOrHead().and(rawPathUnder(LiveTail.VIEW_PREFIX)), live::view);
            if (settings.compare()) {
                routes.route(getOrHead().and(rawPathUnder(COMPARE_SPRING)), request -> compareSpring(settings, request));
                routes.GET(COMPARE_DBU + "/**", request -> compareDbu(settings, request));
            }
            return routes
                    .route(getOrHead(), files)
                    .route(RequestPredicates.all(), request -> ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED)
                            .header(HttpHeaders.ALLOW, "GET, HEAD").build())
                    .build();
        }

        /**
         * {@code /_compare/spring/PATH}: the file written by Spring's own {@link ResourceHttpMessageWriter}, as its
         * static resources are (zero-copy {@code sendfile} for a whole file or one range where Reactor Netty can,
         * {@code ResourceRegionEncoder} for several ranges), whatever the starter does for the rest of the server.
         * Spring's resource handling follows symbolic links wherever they lead: the containment check of the file
         * routes ({@link SafePaths}) runs first.
         */
        private static Mono<ServerResponse> compareSpring(FileServerSettings settings, ServerRequest request) {
            SafePaths.Resolved r = SafePaths.resolve(settings.root(),
                    request.uri().getRawPath().substring(COMPARE_SPRING.length()));
            if (!r.ok()) {
                return refused(r);
            }
            if (!Files.isRegularFile(r.path())) {
                return ServerResponse.notFound().build();
            }
            Resource resource = new FileSystemResource(r.path());
            return ServerResponse.ok().build((exchange, context) -> SPRING_WRITER.write(Mono.just(resource), null,
                    ResolvableType.forClass(Resource.class), null, exchange.getRequest(), exchange.getResponse(),
                    Map.of()));
        }

        /** Spring's own writer of static resources, for {@code /_compare/spring/}. */
        private static final ResourceHttpMessageWriter SPRING_WRITER = new ResourceHttpMessageWriter();

        /** {@code /_compare/dbu/PATH?buffer=N}: the file read by {@code DataBufferUtils.read} in buffers of N bytes. */
        private static Mono<ServerResponse> compareDbu(FileServerSettings settings, ServerRequest request) {
            String raw = request.uri().getRawPath().substring(COMPARE_DBU.length());
            SafePaths.Resolved r = SafePaths.resolve(settings.root(), raw);
            if (!r.ok()) {
                return refused(r);
            }
            if (!Files.isRegularFile(r.path())) {
                return ServerResponse.notFound().build();
            }
            int buffer;
            try {
                buffer = Integer.parseInt(request.queryParam("buffer").orElse(Integer.toString(DEFAULT_DBU_BUFFER)));
            } catch (NumberFormatException e) {
                buffer = -1;
            }
            if (buffer < 1 || buffer > MAX_DBU_BUFFER) {
                return ServerResponse.badRequest().contentType(MediaType.TEXT_PLAIN).bodyValue(
                        "400 buffer must be a number of bytes from 1 to " + MAX_DBU_BUFFER + "\n");
            }
            long size;
            try {
                size = Files.size(r.path());
            } catch (IOException e) {
                return ServerResponse.notFound().build();
            }
            int bufferSize = buffer;
            return ServerResponse.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                    .header(HttpHeaders.CONTENT_LENGTH, Long.toString(size))
                    .body((message, ctx) -> message.writeWith(
                            DataBufferUtils.read(r.path(), message.bufferFactory(), bufferSize)));
        }

        private static Mono<ServerResponse> refused(SafePaths.Resolved r) {
            return ServerResponse.status(r.status()).contentType(MediaType.TEXT_PLAIN)
                    .bodyValue(r.status() == 403 ? "403 forbidden\n" : "404 not found\n");
        }

        private static RequestPredicate getOrHead() {
            return RequestPredicates.method(HttpMethod.GET).or(RequestPredicates.method(HttpMethod.HEAD));
        }

        /** On the raw (still encoded) path, so that nothing decoded or normalised decides the route. */
        private static RequestPredicate rawPathUnder(String prefix) {
            return request -> request.uri().getRawPath().startsWith(prefix + "/");
        }
    }

}
