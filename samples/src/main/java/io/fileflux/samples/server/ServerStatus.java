package io.fileflux.samples.server;

import io.fileflux.core.BufferPool;
import io.fileflux.core.EngineStats;
import io.fileflux.core.FileEngine;
import io.fileflux.spring.webflux.TransferCounters;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /_fileflux/status}: the engine's open files and operations in flight, the streamed bodies
 * ({@link ServeBodies}), how many bodies went zero-copy and how many through Fileflux, live tails, the
 * Fileflux pool's buffers out, and the direct memory held by Netty's allocator and by the JVM. Thread-safe.
 */
final class ServerStatus {

    private final FileServerSettings settings;
    private final FileEngine engine;
    private final BufferPool pool;
    private final ServeBodies bodies;
    private final TransferCounters transfers;
    private final LiveTail live;

    ServerStatus(FileServerSettings settings, FileEngine engine, BufferPool pool, ServeBodies bodies,
                 TransferCounters transfers, LiveTail live) {
        this.settings = settings;
        this.engine = engine;
        this.pool = pool;
        this.bodies = bodies;
        this.transfers = transfers;
        this.live = live;
    }

    Mono<ServerResponse> status(ServerRequest request) {
        EngineStats s = engine.stats();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("engine", engine.name());
        body.put("openFiles", s.openDevices());
        body.put("inFlight", s.inFlight());
        body.put("submitted", s.submitted());
        body.put("cancelled", s.cancelled());
        body.put("activeResponses", bodies.activeResponses());
        body.put("responses", bodies.responses());
        body.put("bytesRead", bodies.bytesRead());
        body.put("zeroCopy", transfers.zeroCopy());
        body.put("streamed", transfers.streamed());
        body.put("transfer", settings.transfer());
        body.put("activeTails", live.activeTails());
        body.put("tailLines", live.linesSent());
        body.put("chunkSize", settings.chunkSize());
        body.put("maxInFlight", settings.inFlight());
        body.put("waitingForClient", bodies.waitingForClient());
        body.put("poolBuffersOut", pool.outstanding());
        body.put("nettyDirectMemory", nettyDirectMemory(request.exchange().getResponse().bufferFactory()));
        body.put("jvmDirectMemory", jvmDirectMemory());
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).header(HttpHeaders.CACHE_CONTROL, "no-store")
                .bodyValue(body);
    }

    /** The direct memory Netty's allocator holds (its arenas, used or cached), or -1 if it does not say. */
    private static long nettyDirectMemory(DataBufferFactory factory) {
        if (factory instanceof NettyDataBufferFactory netty
                && netty.getByteBufAllocator() instanceof ByteBufAllocatorMetricProvider metrics) {
            return metrics.metric().usedDirectMemory();
        }
        return -1;
    }

    /** The JVM's direct buffers ({@code BufferPoolMXBean} "direct"): Fileflux's pool, and Netty's arenas. */
    private static long jvmDirectMemory() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b.getMemoryUsed();
            }
        }
        return -1;
    }
}
