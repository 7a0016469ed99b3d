package io.fileflux.reactor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** {@link DrainLoop#wakeAfter}: the prelude runs here inside the drain, the pass then runs on the scheduler. */
class DrainLoopWakeAfterTest {

    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "delivery-under-test"));
    private final Scheduler scheduler = Schedulers.fromExecutorService(pool);

    @AfterEach
    void stop() {
        scheduler.dispose();
    }

    /** Records which thread ran each prelude and pass, in order. */
    private final class Recording extends DrainLoop {
        final List<String> log = new ArrayList<>();
        final CountDownLatch passes;
        volatile CountDownLatch inPass = new CountDownLatch(0);
        volatile CountDownLatch releasePass = new CountDownLatch(0);

        Recording(int passes) {
            super(scheduler);
            this.passes = new CountDownLatch(passes);
        }

        @Override
        protected void drainOnce() {
            synchronized (log) {
                log.add("pass on " + Thread.currentThread().getName());
            }
            inPass.countDown();
            try {
                releasePass.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            passes.countDown();
        }

        @Override
        protected void drainFailed(Throwable t) {
            throw new AssertionError(t);
        }

        boolean prelude() {
            synchronized (log) {
                log.add("prelude on " + Thread.currentThread().getName());
            }
            return true;
        }
    }

    @Test
    void preludeRunsOnTheCallerThenThePassOnTheScheduler() throws Exception {
        Recording d = new Recording(1);
        d.wakeAfter(d::prelude);
        assertTrue(d.passes.await(30, TimeUnit.SECONDS));
        assertEquals(List.of("prelude on " + Thread.currentThread().getName(), "pass on delivery-under-test"), d.log);
    }

    @Test
    void aBusyDrainSkipsThePreludeAndGoesRoundOnceMore() throws Exception {
        Recording d = new Recording(2);
        d.inPass = new CountDownLatch(1);
        d.releasePass = new CountDownLatch(1);
        d.wake();
        assertTrue(d.inPass.await(30, TimeUnit.SECONDS), "the first pass runs");
        d.wakeAfter(d::prelude); // the drain is held by the delivery thread: no prelude here
        d.releasePass.countDown();
        assertTrue(d.passes.await(30, TimeUnit.SECONDS), "a second pass follows");
        assertEquals(List.of("pass on delivery-under-test", "pass on delivery-under-test"), d.log);
    }

    @Test
    void aPreludeThatFindsNothingToDoReleasesTheDrainWithoutAPass() throws Exception {
        Recording d = new Recording(1);
        d.wakeAfter(() -> false);
        assertTrue(d.log.isEmpty(), "no pass");
        d.wake(); // the drain was released: a later wake-up runs it
        assertTrue(d.passes.await(30, TimeUnit.SECONDS));
        assertEquals(List.of("pass on delivery-under-test"), d.log);
    }

    @Test
    void aThrowingPreludeStillHandsTheDrainOn() throws Exception {
        Recording d = new Recording(1);
        d.wakeAfter(() -> {
            throw new IllegalStateException("prelude failed");
        });
        assertTrue(d.passes.await(30, TimeUnit.SECONDS), "the pass runs anyway");
        assertSame(1, d.log.size());
    }
}
