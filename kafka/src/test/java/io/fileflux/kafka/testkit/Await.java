package io.fileflux.kafka.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for an observable state; the bound only stops a hung test and is never what a test asserts. */
public final class Await {

    /** The default bound: generous, for a busy 2-core machine. */
    public static final Duration BOUND = Duration.ofSeconds(120);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails with {@code what} (evaluated then) if it never does. */
    public static void until(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still waiting after " + BOUND + ": " + what.get());
            }
            Thread.sleep(10);
        }
    }
}
