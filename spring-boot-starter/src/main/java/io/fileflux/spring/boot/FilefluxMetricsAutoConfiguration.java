package io.fileflux.spring.boot;

import io.fileflux.core.BufferPool;
import io.fileflux.core.FileEngine;
import io.fileflux.micrometer.FilefluxMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The engine's and the buffer pool's Micrometer meters: when {@code fileflux-micrometer} (an optional dependency of
 * the starter) and Micrometer are on the class path and the context has a {@link MeterRegistry}, a
 * {@link FilefluxMetrics} binder of the context's {@link FileEngine} and of its {@link BufferPool} (tag
 * {@code pool=fileflux}). Like Spring Boot's own binders it is a bean, which Boot's metrics auto-configuration
 * binds to every meter registry of the context; without Micrometer this class is never loaded.
 */
@AutoConfiguration(after = FilefluxAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({FilefluxMetrics.class, MeterRegistry.class})
@ConditionalOnBean({FileEngine.class, MeterRegistry.class})
public class FilefluxMetricsAutoConfiguration {

    /** The tag value of the starter's pool: {@code fileflux.pool.buffers.*{pool="fileflux"}}. */
    public static final String POOL = "fileflux";

    /** Used by Spring. */
    public FilefluxMetricsAutoConfiguration() {
    }

    /** The meters of the engine and, if the context has one, of its buffer pool. */
    @Bean
    @ConditionalOnMissingBean
    public FilefluxMetrics filefluxMetrics(FileEngine engine, ObjectProvider<BufferPool> pool) {
        FilefluxMetrics metrics = new FilefluxMetrics(engine);
        BufferPool p = pool.getIfUnique();
        if (p != null) {
            metrics.pool(POOL, p);
        }
        return metrics;
    }
}
