package io.fileflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fileflux.core.FileEngine;
import io.fileflux.micrometer.FilefluxMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * When the starter binds its meters: with fileflux-micrometer, Micrometer and a registry, and only then; without
 * Micrometer (or the module) on the class path the context starts all the same.
 */
class StarterMetricsConditionsTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({FilefluxAutoConfiguration.class, FilefluxMetricsAutoConfiguration.class})
    static class App {
    }

    /** Starts a context of {@link App} with {@code loader} (null: the test's), a registry if asked, then checks it. */
    private static void run(ClassLoader loader, boolean registry, Consumer<AnnotationConfigApplicationContext> check) {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            if (loader != null) {
                context.setClassLoader(loader);
            }
            if (registry) {
                context.registerBean(SimpleMeterRegistry.class);
            }
            context.register(App.class);
            context.refresh();
            check.accept(context);
        }
    }

    @Test
    void withARegistryTheEngineIsMeasured() {
        run(null, true, context ->
                assertSame(context.getBean(FileEngine.class), context.getBean(FilefluxMetrics.class).engine()));
    }

    @Test
    void withoutMicrometerTheContextStartsWithoutMeters() {
        run(new FilteredClassLoader(MeterRegistry.class), false, context -> {
            assertEquals(1, context.getBeanNamesForType(FileEngine.class).length);
            assertEquals(0, context.getBeanNamesForType(FilefluxMetrics.class).length);
        });
    }

    @Test
    void withoutTheMicrometerModuleTheContextStartsWithoutMeters() {
        run(new FilteredClassLoader(FilefluxMetrics.class), true, context -> {
            assertEquals(1, context.getBeanNamesForType(FileEngine.class).length);
            assertEquals(0, context.getBeanNamesForType(FilefluxMetrics.class).length);
        });
    }

    @Test
    void withoutARegistryNothingIsBound() {
        run(null, false, context -> {
            assertEquals(1, context.getBeanNamesForType(FileEngine.class).length);
            assertEquals(0, context.getBeanNamesForType(FilefluxMetrics.class).length);
        });
    }
}
