package io.fileflux.reactor.tail.many;

import io.fileflux.reactor.FileFlux;
import io.fileflux.reactor.tail.CheckpointRegistry;
import io.fileflux.reactor.tail.TailOptions;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The process {@link KillNineTest} kills: follows {@code GLOB} with its checkpoints in the registry
 * {@code REGISTRY}, writes each line to standard output (unbuffered) and only then acknowledges it (saved at
 * once). So a line is printed at most once more after a kill than it was acknowledged.
 */
public final class KillNineChild {

    private KillNineChild() {
    }

    /** {@code GLOB REGISTRY}. */
    public static void main(String[] args) throws Exception {
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        CheckpointRegistry registry = CheckpointRegistry.open(Path.of(args[1]), Duration.ofDays(1));
        FileFlux.tailAll(TailAllOptions.of(args[0])
                        .fileOptions(TailOptions.defaults().watch(false).pollInterval(Duration.ofMillis(20)))
                        .scanInterval(Duration.ofMillis(100))
                        .registry(registry, Duration.ZERO))
                .doOnNext(line -> {
                    try {
                        out.write((line.text() + "\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    line.ack();
                })
                .blockLast();
    }
}
