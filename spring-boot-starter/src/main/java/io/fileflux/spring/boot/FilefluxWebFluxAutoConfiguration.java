package io.fileflux.spring.boot;

import io.fileflux.core.BufferPool;
import io.fileflux.core.FileEngine;
import io.fileflux.reactor.ReadOptions;
import io.fileflux.spring.webflux.DirectoryListing;
import io.fileflux.spring.webflux.FileBodyCustomizer;
import io.fileflux.spring.webflux.FileServingHandler;
import io.fileflux.spring.webflux.FileServingOptions;
import io.fileflux.spring.webflux.FilefluxResourceHttpMessageWriter;
import io.fileflux.spring.webflux.FilefluxResourceRegionHttpMessageWriter;
import io.fileflux.spring.webflux.TransferCounters;
import io.fileflux.spring.webflux.TransferListener;
import io.fileflux.spring.webflux.TransferStrategy;
import java.io.IOException;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.codec.ResourceHttpMessageWriter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.AbstractUrlHandlerMapping;
import org.springframework.web.reactive.resource.ResourceWebHandler;

/**
 * Serves a reactive web application's files through Fileflux, with no change to the application:
 * <ul>
 *   <li>static resources ({@code spring.web.resources.static-locations}, every {@link ResourceWebHandler} of the
 *       context's URL handler mappings) get a {@link FilefluxResourceHttpMessageWriter};</li>
 *   <li>controllers returning a {@code Resource}, and {@code RouterFunctions.resources}, write through the same
 *       writer, registered as a custom codec (custom codecs come before Spring's own {@code Resource}
 *       writer); a controller's single {@code ResourceRegion} through a {@link FilefluxResourceRegionHttpMessageWriter};</li>
 *   <li>with {@code fileflux.directory} set, that directory is served at {@code fileflux.path} by a
 *       {@link FileServingHandler} (listings with {@code fileflux.listing=true}).</li>
 * </ul>
 * Each file body goes zero-copy or through Fileflux as {@code fileflux.transfer} (or a {@link TransferStrategy}
 * bean) decides; a {@link TransferCounters} bean counts the choices. {@code fileflux.enabled=false} turns it
 * all off.
 */
@AutoConfiguration(after = FilefluxAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({ResourceHttpMessageWriter.class, FilefluxResourceHttpMessageWriter.class})
@ConditionalOnProperty(prefix = "fileflux", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(FileEngine.class)
public class FilefluxWebFluxAutoConfiguration {

    /** Used by Spring. */
    public FilefluxWebFluxAutoConfiguration() {
    }

    /** Counts file bodies sent zero-copy and streamed (also a {@link TransferListener}). */
    @Bean
    @ConditionalOnMissingBean
    public TransferCounters filefluxTransferCounters() {
        return new TransferCounters();
    }

    /**
     * How files are sent: the engine, the pool and {@code fileflux.in-flight} for streamed bodies; the
     * {@link TransferStrategy} bean if there is one, else {@code fileflux.transfer}; every {@link TransferListener}
     * bean told of each choice; the {@link FileBodyCustomizer} bean if there is one; {@code fileflux.listing}.
     * With {@code server.compression.enabled}, {@code auto} streams the responses Spring Boot will compress.
     */
    @Bean
    @ConditionalOnMissingBean
    public FileServingOptions filefluxServingOptions(FilefluxProperties properties, FileEngine engine,
                                                     BufferPool pool, ObjectProvider<TransferStrategy> strategy,
                                                     ObjectProvider<TransferListener> listeners,
                                                     ObjectProvider<FileBodyCustomizer> customizer,
                                                     Environment environment) {
        ReadOptions read = ReadOptions.defaults().engine(engine).maxInFlight(properties.getInFlight()).pooled(pool);
        List<TransferListener> all = listeners.orderedStream().toList();
        TransferListener listener = (file, position, count, decision) -> {
            for (TransferListener l : all) {
                l.onTransfer(file, position, count, decision);
            }
        };
        return new FileServingOptions(read, strategy.getIfAvailable(() -> transfer(properties, environment)),
                listener, customizer.getIfAvailable(() -> FileBodyCustomizer.NONE), properties.isListing());
    }

    /**
     * {@code fileflux.transfer}; {@code auto} also streams what {@code server.compression} will compress (Reactor
     * Netty decides that only when it sends the headers).
     */
    static TransferStrategy transfer(FilefluxProperties properties, Environment environment) {
        TransferStrategy named = TransferStrategy.named(properties.getTransfer());
        CompressionHint compression = CompressionHint.of(environment);
        return named == TransferStrategy.auto() && compression != null ? TransferStrategy.auto(compression) : named;
    }

    /** The {@code Resource} writer of controllers and router functions. */
    @Bean
    @ConditionalOnMissingBean
    public FilefluxResourceHttpMessageWriter filefluxResourceWriter(FileServingOptions options) {
        return new FilefluxResourceHttpMessageWriter(options);
    }

    /** The {@code ResourceRegion} writer of controllers. */
    @Bean
    @ConditionalOnMissingBean
    public FilefluxResourceRegionHttpMessageWriter filefluxResourceRegionWriter(FileServingOptions options) {
        return new FilefluxResourceRegionHttpMessageWriter(options);
    }

    /** Registers the writers ahead of Spring's own {@code Resource} and {@code ResourceRegion} writers. */
    @Bean
    public CodecCustomizer filefluxCodecCustomizer(FilefluxResourceHttpMessageWriter writer,
                                                   FilefluxResourceRegionHttpMessageWriter regions) {
        return configurer -> {
            configurer.customCodecs().register(writer);
            configurer.customCodecs().register(regions);
        };
    }

    /** Gives every static resource handler a Fileflux writer (see {@link ResourceHandlers}). */
    @Bean
    public static BeanPostProcessor filefluxResourceHandlers(ObjectProvider<FileServingOptions> options) {
        return new ResourceHandlers(options);
    }

    /**
     * {@code fileflux.directory} served at {@code fileflux.path}, with listings if {@code fileflux.listing}.
     *
     * @throws IOException if the directory does not exist or is not one
     */
    @Bean
    @ConditionalOnProperty(prefix = "fileflux", name = "directory")
    public RouterFunction<ServerResponse> filefluxDirectoryRoutes(FilefluxProperties properties,
                                                                  FileServingOptions options) throws IOException {
        return new FileServingHandler(properties.getDirectory(), properties.getPath(), options, new DirectoryListing())
                .routes();
    }

    /**
     * Sets a {@link FilefluxResourceHttpMessageWriter} on each {@link ResourceWebHandler} of a URL handler mapping,
     * once the mapping is initialised. {@code ResourceWebHandler} does not write through the codecs: it makes its
     * own {@code ResourceHttpMessageWriter} unless one is set. Its own date check ({@code useLastModified}) is
     * turned off and passed to the writer instead, which evaluates {@code If-Match}, {@code If-Unmodified-Since},
     * {@code If-None-Match} and {@code If-Modified-Since} in RFC 9110's order (Spring's check ignores
     * {@code If-Match} on {@code GET}).
     */
    static final class ResourceHandlers implements BeanPostProcessor {

        private final ObjectProvider<FileServingOptions> options;

        ResourceHandlers(ObjectProvider<FileServingOptions> options) {
            this.options = options;
        }

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            if (bean instanceof AbstractUrlHandlerMapping mapping) {
                for (Object handler : mapping.getHandlerMap().values()) {
                    if (handler instanceof ResourceWebHandler resources
                            && !(resources.getResourceHttpMessageWriter() instanceof FilefluxResourceHttpMessageWriter)) {
                        resources.setResourceHttpMessageWriter(
                                new FilefluxResourceHttpMessageWriter(options.getObject(), resources.isUseLastModified()));
                        resources.setUseLastModified(false);
                    }
                }
            }
            return bean;
        }
    }
}
