package io.fileflux.reactor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fileflux.core.TestFiles;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The delivery pool: a blocked task never holds the others up while threads may grow; the cap; retiring. */
class DeliveryPoolTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aBlockedTaskDoesNotHoldUpTheNextOne() throws Exception {
        DeliveryPool pool = new DeliveryPool("test-delivery", 1, 4, 60);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) { // three tasks block, each on a thread of its own
            pool.execute(() -> {
                blocked.countDown();
                await(release);
            });
        }
        assertTrue(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the blocked tasks did not all start");
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        assertTrue(ran.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a task waited behind blocked ones");
        release.countDown();
        pool.shutdown();
    }

    @Test
    void pastTheCapTasksQueueUntilAThreadIsFree() throws Exception {
        DeliveryPool pool = new DeliveryPool("test-delivery", 0, 1, 60);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger order = new AtomicInteger();
        AtomicInteger secondSaw = new AtomicInteger(-1);
        pool.execute(() -> {
            started.countDown();
            await(release);
            order.incrementAndGet();
        });
        assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        CountDownLatch second = new CountDownLatch(1);
        pool.execute(() -> {
            secondSaw.set(order.get());
            second.countDown();
        });
        assertEquals(1, pool.threads(), "the cap");
        release.countDown();
        assertTrue(second.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1, secondSaw.get(), "the queued task ran after the first one finished");
        pool.shutdown();
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    }

    @Test
    void idleThreadsBeyondTheCoreOnesEnd() throws Exception {
        DeliveryPool pool = new DeliveryPool("test-delivery", 1, 4, 1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            pool.execute(() -> {
                blocked.countDown();
                await(release);
            });
        }
        assertTrue(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(3, pool.threads());
        release.countDown();
        TestFiles.await(WAIT, "back to the one core thread: " + pool.threads(), () -> pool.threads() == 1);
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        assertTrue(ran.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the core thread still takes work");
        pool.shutdown();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
