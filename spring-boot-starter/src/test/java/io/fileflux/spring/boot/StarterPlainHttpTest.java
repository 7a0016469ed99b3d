package io.fileflux.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.FileEngine;
import io.fileflux.spring.webflux.FilefluxResourceHttpMessageWriter;
import io.fileflux.spring.webflux.Transfer;
import io.fileflux.spring.webflux.TransferCounters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.resource.ResourceWebHandler;

/** The starter over plain HTTP/1.1: whole files and single ranges zero-copy, several ranges through Fileflux. */
@SpringBootTest(classes = StarterTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off"})
class StarterPlainHttpTest extends FileServingContract {

    @DynamicPropertySource
    static void staticLocations(DynamicPropertyRegistry registry) {
        StarterTestApp.staticLocations(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    TransferCounters counters;

    @Autowired
    ApplicationContext context;

    StarterHttpClient client;

    @BeforeEach
    void connect() {
        client = new StarterHttpClient("http://127.0.0.1:" + port, null);
    }

    @Override
    StarterHttpClient client() {
        return client;
    }

    @Override
    TransferCounters counters() {
        return counters;
    }

    @Override
    Transfer wholeFileTransfer() {
        return Transfer.ZERO_COPY;
    }

    @Test
    void theEngineIsTheContextsAndStaticResourcesWriteThroughFileflux() {
        assertEquals(1, context.getBeansOfType(FileEngine.class).size(), context.getBeansOfType(FileEngine.class).keySet().toString());
        SimpleUrlHandlerMapping mapping = context.getBean("resourceHandlerMapping", SimpleUrlHandlerMapping.class);
        long handlers = mapping.getHandlerMap().values().stream().filter(ResourceWebHandler.class::isInstance)
                .peek(h -> assertInstanceOf(FilefluxResourceHttpMessageWriter.class,
                        ((ResourceWebHandler) h).getResourceHttpMessageWriter()))
                .count();
        assertTrue(handlers >= 1, "static resources (and webjars): " + handlers);
    }
}
