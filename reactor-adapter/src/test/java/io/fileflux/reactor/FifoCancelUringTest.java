package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * Kernel cancellation through the publisher on io_uring: a read of a FIFO that nobody writes stays
 * pending in the kernel; cancelling the subscription must end it with {@code -ECANCELED}, free its
 * buffer and close the descriptor — for one subscription and for many at once.
 */
class FifoCancelUringTest {

    @TempDir
    Path dir;
    FileEngine engine;

    @BeforeEach
    void start() {
        assumeTrue(TestEngines.available().contains("io_uring"), "io_uring is not available here");
        engine = Engines.create("io_uring");
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private Path fifo(String name) throws Exception {
        Path p = dir.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).start();
        assumeTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo is not available");
        return p;
    }

    @Test
    void cancellingTheSubscriptionCancelsThePendingReadInTheKernel() throws Exception {
        Path fifo = fifo("quiet");
        StepVerifier.create(FileFlux.read(fifo, ReadOptions.defaults().engine(engine)), 1)
                .expectSubscription()
                .then(() -> TestFiles.await(Duration.ofSeconds(5), "read pending: " + engine.stats(),
                        () -> engine.stats().inFlight() == 1))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        TestFiles.await(Duration.ofSeconds(5), "cancelled and closed: " + engine.stats(),
                () -> engine.stats().inFlight() == 0 && engine.stats().openDevices() == 0);
        assertEquals(1, engine.stats().cancelled(), "the read ended with -ECANCELED");
        assertFalse(TestFiles.isOpen(fifo), "the FIFO's descriptor is closed");
    }

    @Test
    void manySubscriptionsCancelledAtOnceLeaveNothingBehind() throws Exception {
        int n = 24;
        List<Disposable> subscriptions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            subscriptions.add(FileFlux.read(fifo("q" + i), ReadOptions.defaults().engine(engine))
                    .subscribe(b -> { }, e -> { }));
        }
        TestFiles.await(Duration.ofSeconds(10), n + " reads pending: " + engine.stats(),
                () -> engine.stats().inFlight() == n);
        subscriptions.forEach(Disposable::dispose);
        TestFiles.await(Duration.ofSeconds(10), "all cancelled and closed: " + engine.stats(),
                () -> engine.stats().inFlight() == 0 && engine.stats().openDevices() == 0);
        assertEquals(n, engine.stats().cancelled());
    }
}
