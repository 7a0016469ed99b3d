package io.fileflux.reactor.tail.logrotate;

import io.fileflux.reactor.tail.TailOptions;
import java.lang.reflect.Method;
import java.time.Duration;

/**
 * {@code TailOptions.rotateWait(Duration)}, the grace period during which a generation rotated away is
 * still read, when this build has it: the late-writer tests depend on it and are skipped, with that
 * reason, on a build without it.
 */
final class RotateWaitOption {

    private RotateWaitOption() {
    }

    /** {@code options.rotateWait(wait)}, or null if TailOptions has no such option. */
    static TailOptions apply(TailOptions options, Duration wait) {
        Method m;
        try {
            m = TailOptions.class.getMethod("rotateWait", Duration.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
        try {
            return (TailOptions) m.invoke(options, wait);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
