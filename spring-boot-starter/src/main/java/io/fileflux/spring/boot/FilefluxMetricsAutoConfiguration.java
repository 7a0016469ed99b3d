package io.fileflux.spring.boot;

import io.fileflux.core.FileEngine;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.reflect.InvocationTargetException;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The engine's Micrometer meters: when {@code fileflux-micrometer} and Micrometer are on the class path, a
 * {@code io.fileflux.micrometer.FilefluxMetrics} binder for the context's {@link FileEngine}, which Spring Boot's
 * metrics auto-configuration binds to every meter registry. The binder is named, not imported, so that this
 * starter does not depend on the module: it is created through its public {@code FilefluxMetrics(FileEngine)}
 * constructor.
 */
@AutoConfiguration(after = FilefluxAutoConfiguration.class)
@ConditionalOnClass(name = {"io.fileflux.micrometer.FilefluxMetrics", "io.micrometer.core.instrument.binder.MeterBinder"})
@ConditionalOnBean(FileEngine.class)
public class FilefluxMetricsAutoConfiguration {

    /** The binder's class name. */
    static final String BINDER = "io.fileflux.micrometer.FilefluxMetrics";

    /** Used by Spring. */
    public FilefluxMetricsAutoConfiguration() {
    }

    /**
     * The engine's meter binder.
     *
     * @throws IllegalStateException if the class has no public {@code (FileEngine)} constructor
     */
    @Bean
    @ConditionalOnMissingBean(type = BINDER)
    public MeterBinder filefluxMetrics(FileEngine engine) {
        try {
            Class<?> type = Class.forName(BINDER, true, FilefluxMetricsAutoConfiguration.class.getClassLoader());
            return (MeterBinder) type.getConstructor(FileEngine.class).newInstance(engine);
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new IllegalStateException(BINDER + " cannot be created with (FileEngine): " + e, e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(BINDER + "(FileEngine) failed: " + e.getCause(), e.getCause());
        }
    }
}
