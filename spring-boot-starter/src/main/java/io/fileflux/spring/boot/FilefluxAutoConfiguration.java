package io.fileflux.spring.boot;

import io.fileflux.core.BufferPool;
import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures a Fileflux {@link FileEngine} (the one {@code fileflux.engine} names, else the best available
 * here), owned by the application context and closed when it closes, and the {@link BufferPool} that streamed
 * file bodies read into. Both back off when the application defines its own.
 */
@AutoConfiguration
@ConditionalOnClass(FileEngine.class)
@EnableConfigurationProperties(FilefluxProperties.class)
public class FilefluxAutoConfiguration {

    /** Used by Spring. */
    public FilefluxAutoConfiguration() {
    }

    /**
     * A new engine of the configured name (not the JVM-wide shared one), closed with the context.
     *
     * @throws IllegalArgumentException for an unknown engine name
     * @throws IllegalStateException    if the engine is not available on this machine
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public FileEngine filefluxEngine(FilefluxProperties properties) {
        String name = properties.getEngine();
        return Engines.create(name == null || name.isBlank() ? Engines.select().name() : name.trim());
    }

    /**
     * One pool for every streamed body: a buffer goes back as soon as its chunk is written. Each body holds at
     * most its reads in flight; the capacity allows that for 4,096 concurrent downloads and still catches a leak.
     *
     * @throws IllegalArgumentException for a chunk size outside 1 byte..64 MiB or in-flight below 1
     */
    @Bean
    @ConditionalOnMissingBean
    public BufferPool filefluxBufferPool(FilefluxProperties properties) {
        long chunk = properties.getChunkSize().toBytes();
        if (chunk < 1 || chunk > (64 << 20)) {
            throw new IllegalArgumentException("fileflux.chunk-size must be from 1 byte to 64MB, was "
                    + properties.getChunkSize());
        }
        int inFlight = properties.getInFlight();
        if (inFlight < 1) {
            throw new IllegalArgumentException("fileflux.in-flight must be >= 1, was " + inFlight);
        }
        return new BufferPool((int) chunk, Math.max(64, inFlight * 16), Math.max(64, inFlight * 4096));
    }
}
