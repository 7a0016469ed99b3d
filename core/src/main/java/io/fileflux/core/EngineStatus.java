package io.fileflux.core;

/**
 * What a provider found when it probed the machine for its engine. Immutable.
 *
 * @param name      the engine name
 * @param available whether the engine can be created here
 * @param detail    why not, or what was found (kernel version, feature flags, ...)
 */
public record EngineStatus(String name, boolean available, String detail) {

    public static EngineStatus available(String name, String detail) {
        return new EngineStatus(name, true, detail);
    }

    public static EngineStatus unavailable(String name, String reason) {
        return new EngineStatus(name, false, reason);
    }
}
