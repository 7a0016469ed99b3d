package io.fileflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.BufferPool;
import io.fileflux.core.FileEngine;
import io.fileflux.micrometer.FilefluxMetrics;
import io.fileflux.spring.webflux.TransferCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter's meters in an application with a {@link SimpleMeterRegistry}: after a file was streamed through
 * Fileflux ({@code fileflux.transfer=stream}), the engine's and the pool's meters are registered and the bytes-read
 * counter grew by at least the file's size. ({@link StarterMetricsConditionsTest}: when they are not there.)
 */
@SpringBootTest(classes = {StarterTestApp.class, StarterMetricsTest.Registry.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "fileflux.transfer=stream"})
class StarterMetricsTest {

    /**
     * A registry, and what Boot's metrics auto-configuration does with {@code MeterBinder} beans (bind each to the
     * registry once the singletons exist), without the actuator.
     */
    @Configuration(proxyBeanMethods = false)
    static class Registry {

        @Bean
        SimpleMeterRegistry simpleMeterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        SmartInitializingSingleton bindMeterBinders(MeterRegistry registry, ObjectProvider<MeterBinder> binders) {
            return () -> binders.orderedStream().forEach(b -> b.bindTo(registry));
        }
    }

    @DynamicPropertySource
    static void staticLocations(DynamicPropertyRegistry registry) {
        StarterTestApp.staticLocations(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @Autowired
    FilefluxMetrics metrics;

    @Autowired
    FileEngine engine;

    @Autowired
    BufferPool pool;

    @Autowired
    TransferCounters counters;

    @Test
    void aStreamedDownloadIsCountedInTheEnginesMeters() throws Exception {
        assertSame(engine, metrics.engine());
        String name = engine.name();
        for (String meter : List.of("fileflux.engine.ops.inflight", "fileflux.engine.devices.open", "fileflux.engine.ops",
                "fileflux.engine.ops.cancelled")) {
            assertNotNull(registry.find(meter).tag("engine", name).meter(), meter);
        }
        for (String op : List.of("read", "write")) {
            assertNotNull(registry.find("fileflux.engine.io").tags("engine", name, "op", op).functionCounter(), op);
        }
        assertEquals(6, registry.find("fileflux.engine.errors").tag("engine", name).functionCounters().size());
        for (String meter : List.of("fileflux.pool.buffers.outstanding", "fileflux.pool.buffers.capacity",
                "fileflux.pool.buffers.allocated", "fileflux.pool.buffers.leaked")) {
            assertNotNull(registry.find(meter).tags("engine", name, "pool", FilefluxMetricsAutoConfiguration.POOL)
                    .meter(), meter);
        }
        assertEquals(pool.capacity(), registry.get("fileflux.pool.buffers.capacity").gauge().value());

        FunctionCounter read = registry.get("fileflux.engine.io").tags("engine", name, "op", "read").functionCounter();
        double before = read.count();
        long streamed = counters.streamed();
        HttpResponse<byte[]> r = new StarterHttpClient("http://127.0.0.1:" + port, null).get("/big.bin");
        assertEquals(200, r.statusCode());
        assertArrayEquals(StarterTestApp.BIG, r.body());
        assertEquals(streamed + 1, counters.streamed());
        double grew = read.count() - before;
        assertTrue(grew >= StarterTestApp.BIG.length, "bytes read " + grew + " of " + StarterTestApp.BIG.length);
    }
}
