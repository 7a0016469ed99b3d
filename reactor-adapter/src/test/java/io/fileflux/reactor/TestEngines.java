package io.fileflux.reactor;

import io.fileflux.core.EngineStatus;
import io.fileflux.core.Engines;
import java.util.List;
import java.util.stream.Collectors;

/** The engines available on this machine: every publisher test runs on each. */
final class TestEngines {

    private TestEngines() {
    }

    static List<String> available() {
        return Engines.probeAll().stream().filter(EngineStatus::available).map(EngineStatus::name)
                .collect(Collectors.toList());
    }
}
