package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.core.TestFiles;
import io.fileflux.core.iocp.PipeServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.test.StepVerifier;

/**
 * Kernel cancellation through the publisher on Windows: a read of a named pipe whose writer never
 * writes stays pending; cancelling the subscription must end it with ERROR_OPERATION_ABORTED (995),
 * release its buffer and close both handles. Runs under Wine in CI ({@code .ci/wine-test.sh}).
 */
@EnabledOnOs(OS.WINDOWS)
class PipeCancelWineTest {

    @Test
    void cancellingTheSubscriptionAbortsThePendingPipeRead() throws Exception {
        FileEngine engine = Engines.create("iocp");
        try (PipeServer pipe = new PipeServer()) {
            StepVerifier.create(FileFlux.read(pipe.path(), ReadOptions.defaults().engine(engine)), 1)
                    .expectSubscription()
                    .then(() -> TestFiles.await(Duration.ofSeconds(5), "read pending",
                            () -> engine.stats().inFlight() == 1))
                    .thenCancel()
                    .verify(Duration.ofSeconds(10));
            TestFiles.await(Duration.ofSeconds(5), "cancelled and closed: " + engine.stats(),
                    () -> engine.stats().inFlight() == 0 && engine.stats().openDevices() == 0);
            assertEquals(1, engine.stats().cancelled(), "the read ended with ERROR_OPERATION_ABORTED");
            assertTrue(pipe.closeServer(), "the server end of the pipe closes: our handle is gone");
        } finally {
            engine.close();
        }
    }
}
